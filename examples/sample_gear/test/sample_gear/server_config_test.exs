defmodule SampleGear.ServerConfigTest do
  use ExUnit.Case, async: true

  alias SampleGear.ServerConfig

  defp env(value), do: fn "RAISE_SERVER_CONFIG_JSON" -> value end

  test "load returns the decoded config" do
    json = ~S({"db": {"hostname": "db.example.invalid", "password": "secret"}})

    assert ServerConfig.load(env(json)) ==
             {:ok, %{"db" => %{"hostname" => "db.example.invalid", "password" => "secret"}}}
  end

  test "load rejects a missing or empty variable" do
    for value <- [nil, ""] do
      assert {:error, message} = ServerConfig.load(env(value))
      assert message =~ "RAISE_SERVER_CONFIG_JSON is not set"
    end
  end

  test "load rejects invalid JSON without quoting it" do
    assert {:error, message} = ServerConfig.load(env(~S({"db": {"password": "hunter2"})))
    assert message =~ "RAISE_SERVER_CONFIG_JSON is not valid JSON"
    refute message =~ "hunter2"
  end

  test "load rejects a config without a db object" do
    for json <- [~S({}), ~S({"db": "postgres"}), ~S([{"db": {}}]), ~S("db")] do
      assert {:error, message} = ServerConfig.load(env(json)), "expected #{json} to be rejected"
      assert message =~ ~S(has no "db" object)
    end
  end
end
