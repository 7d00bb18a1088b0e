defmodule SampleGear.WhiteboxDatabaseTest do
  # Reads the whitebox test config (gear_test_config.json) from
  # WHITEBOX_TEST_SECRET_JSON, where the prod image build puts the
  # test_secret build secret. Checks that the database it names replies to
  # a PostgreSQL SSLRequest.
  use ExUnit.Case, async: true

  alias SampleGear.{JSON, PostgresProbe}

  @env_var "WHITEBOX_TEST_SECRET_JSON"

  test "whitebox database replies to SSLRequest" do
    json =
      case System.get_env(@env_var) do
        value when value in [nil, ""] ->
          flunk(
            "#{@env_var} is not set: the test_secret build secret (gear_test_config.json) " <>
              "was not mounted, or the variable was not exported for mix test"
          )

        value ->
          value
      end

    config =
      case JSON.decode(json) do
        {:ok, config} -> config
        {:error, reason} -> flunk("#{@env_var} is not valid JSON: #{reason}")
      end

    {host, port} =
      case PostgresProbe.address(config) do
        {:ok, address} -> address
        {:error, reason} -> flunk("#{@env_var}: #{reason}")
      end

    case PostgresProbe.ssl_request(host, port) do
      {:ok, reply} -> assert reply in [:ssl_supported, :ssl_unsupported]
      {:error, reason} -> flunk(reason)
    end
  end
end
