defmodule SampleGear.PostgresProbe do
  @moduledoc """
  Checks that a PostgreSQL server responds, without logging in. It sends the
  8-byte SSLRequest message that can open a PostgreSQL session and reads the
  one-byte reply: `S` when the server accepts TLS and `N` when it does not.
  """

  @default_port 5432
  # The SSLRequest message: its length (8) and the request code 80877103,
  # which is 1234 in the high 16 bits and 5679 in the low 16 bits.
  @ssl_request <<8::32, 1234::16, 5679::16>>

  @doc "Returns the PostgreSQL default port."
  @spec default_port() :: pos_integer()
  def default_port, do: @default_port

  @doc """
  Reads the host and port from the `"db"` object of a gear config.

  `"port"` may be an integer or a numeric string and defaults to 5432.
  """
  @spec address(map()) :: {:ok, {String.t(), pos_integer()}} | {:error, String.t()}
  def address(%{"db" => %{"hostname" => host} = db}) when is_binary(host) and host != "" do
    case Map.get(db, "port", @default_port) do
      port when is_integer(port) and port in 1..65_535 ->
        {:ok, {host, port}}

      port when is_binary(port) ->
        case Integer.parse(port) do
          {number, ""} when number in 1..65_535 -> {:ok, {host, number}}
          _ -> {:error, "db.port is not a port number between 1 and 65535"}
        end

      _other ->
        {:error, "db.port is not a port number between 1 and 65535"}
    end
  end

  def address(%{"db" => db}) when is_map(db), do: {:error, "db.hostname is missing or empty"}
  def address(_config), do: {:error, "the config has no \"db\" object"}

  @doc """
  Sends an SSLRequest to `host:port` and waits up to `timeout` milliseconds
  for each of the connect and the reply.

  Returns `{:ok, :ssl_supported}` or `{:ok, :ssl_unsupported}` for the
  replies `S` and `N`, and `{:error, message}` naming `host:port` when the
  connection fails or the reply is not PostgreSQL's.
  """
  @spec ssl_request(String.t(), pos_integer(), timeout()) ::
          {:ok, :ssl_supported | :ssl_unsupported} | {:error, String.t()}
  def ssl_request(host, port, timeout \\ 5_000) do
    address = "#{host}:#{port}"
    options = [:binary, active: false, packet: :raw]

    case :gen_tcp.connect(String.to_charlist(host), port, options, timeout) do
      {:ok, socket} ->
        try do
          exchange(socket, address, timeout)
        after
          :gen_tcp.close(socket)
        end

      {:error, reason} ->
        {:error, "cannot connect to PostgreSQL at #{address}: #{describe(reason)}"}
    end
  end

  defp exchange(socket, address, timeout) do
    with :ok <- :gen_tcp.send(socket, @ssl_request),
         {:ok, reply} <- :gen_tcp.recv(socket, 1, timeout) do
      case reply do
        "S" ->
          {:ok, :ssl_supported}

        "N" ->
          {:ok, :ssl_unsupported}

        _ ->
          {:error,
           "#{address} replied to the SSLRequest with byte #{inspect(reply)}, not S or N: is it PostgreSQL?"}
      end
    else
      {:error, reason} ->
        {:error, "no SSLRequest reply from PostgreSQL at #{address}: #{describe(reason)}"}
    end
  end

  defp describe(:timeout), do: "timed out"
  defp describe(:closed), do: "connection closed by the server"
  defp describe(reason), do: reason |> :inet.format_error() |> to_string()
end
