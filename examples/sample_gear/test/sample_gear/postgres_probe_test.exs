defmodule SampleGear.PostgresProbeTest do
  use ExUnit.Case, async: true

  alias SampleGear.PostgresProbe

  # Starts a TCP server on loopback for one connection. It reads the
  # SSLRequest, sends it to the test process and replies with `reply`.
  # Returns the server's port.
  defp start_server(reply) do
    {:ok, listener} = :gen_tcp.listen(0, [:binary, active: false, ip: {127, 0, 0, 1}])
    {:ok, port} = :inet.port(listener)
    test_pid = self()

    spawn_link(fn ->
      {:ok, socket} = :gen_tcp.accept(listener, 5_000)
      {:ok, request} = :gen_tcp.recv(socket, 8, 5_000)
      send(test_pid, {:request, request})
      if reply != :close, do: :ok = :gen_tcp.send(socket, reply)
      :gen_tcp.close(socket)
      :gen_tcp.close(listener)
    end)

    port
  end

  defp closed_port do
    {:ok, listener} = :gen_tcp.listen(0, ip: {127, 0, 0, 1})
    {:ok, port} = :inet.port(listener)
    :ok = :gen_tcp.close(listener)
    port
  end

  test "ssl_request sends the 8-byte SSLRequest and reads S" do
    port = start_server("S")
    assert PostgresProbe.ssl_request("127.0.0.1", port) == {:ok, :ssl_supported}
    assert_receive {:request, <<0, 0, 0, 8, 4, 210, 22, 47>>}
  end

  test "ssl_request reads N" do
    port = start_server("N")
    assert PostgresProbe.ssl_request("127.0.0.1", port) == {:ok, :ssl_unsupported}
  end

  test "ssl_request rejects a reply that is not PostgreSQL's" do
    port = start_server("HTTP/1.1 400")
    assert {:error, message} = PostgresProbe.ssl_request("127.0.0.1", port)
    assert message =~ "127.0.0.1:#{port} replied to the SSLRequest with byte \"H\""
  end

  test "ssl_request reports a server that closes the connection" do
    port = start_server(:close)
    assert {:error, message} = PostgresProbe.ssl_request("127.0.0.1", port)
    assert message =~ "no SSLRequest reply from PostgreSQL at 127.0.0.1:#{port}"
  end

  test "ssl_request names host and port when nothing listens" do
    port = closed_port()
    assert {:error, message} = PostgresProbe.ssl_request("127.0.0.1", port)
    assert message =~ "cannot connect to PostgreSQL at 127.0.0.1:#{port}"
  end

  test "address defaults the port to 5432" do
    assert PostgresProbe.address(%{"db" => %{"hostname" => "db.example.invalid"}}) ==
             {:ok, {"db.example.invalid", 5432}}
  end

  test "address accepts integer and string ports" do
    assert PostgresProbe.address(%{"db" => %{"hostname" => "h", "port" => 6543}}) ==
             {:ok, {"h", 6543}}

    assert PostgresProbe.address(%{"db" => %{"hostname" => "h", "port" => "6543"}}) ==
             {:ok, {"h", 6543}}
  end

  test "address rejects bad ports and missing hosts" do
    for db <- [
          %{"hostname" => "h", "port" => 0},
          %{"hostname" => "h", "port" => "54x"},
          %{"hostname" => "h", "port" => 1.5}
        ] do
      assert {:error, "db.port" <> _} = PostgresProbe.address(%{"db" => db})
    end

    assert {:error, "db.hostname is missing or empty"} = PostgresProbe.address(%{"db" => %{}})

    assert {:error, "db.hostname is missing or empty"} =
             PostgresProbe.address(%{"db" => %{"hostname" => ""}})

    assert {:error, _} = PostgresProbe.address(%{})
  end
end
