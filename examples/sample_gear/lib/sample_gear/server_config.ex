defmodule SampleGear.ServerConfig do
  @moduledoc """
  Reads the gear config that a container receives in the environment
  variable `RAISE_SERVER_CONFIG_JSON`, for example:

      {"db": {"hostname": "...", "username": "...", "password": "...",
              "database": "...", "ssl": false}}

  The config holds passwords, so no error message quotes it.
  """

  alias SampleGear.JSON

  @env_var "RAISE_SERVER_CONFIG_JSON"

  @doc "Returns the name of the environment variable that carries the config."
  @spec env_var() :: String.t()
  def env_var, do: @env_var

  @doc """
  Decodes and validates the config from the environment.

  `getenv` looks up one environment variable; it defaults to
  `System.get_env/1`. Returns `{:ok, config}` with the decoded map, or
  `{:error, message}` when the variable is missing or empty, is not valid
  JSON, or has no `"db"` object.
  """
  @spec load((String.t() -> String.t() | nil)) :: {:ok, map()} | {:error, String.t()}
  def load(getenv \\ &System.get_env/1) do
    case getenv.(@env_var) do
      value when value in [nil, ""] ->
        {:error,
         "#{@env_var} is not set: pass the gear config JSON, " <>
           "for example docker run -e #{@env_var}=\"$(< gear_docker_config.json)\""}

      json ->
        parse(json)
    end
  end

  @doc "Decodes `json` and checks that it is an object with a `\"db\"` object."
  @spec parse(String.t()) :: {:ok, map()} | {:error, String.t()}
  def parse(json) do
    case JSON.decode(json) do
      {:ok, %{"db" => db} = config} when is_map(db) ->
        {:ok, config}

      {:ok, _other} ->
        {:error, "#{@env_var} has no \"db\" object at the top level"}

      {:error, reason} ->
        {:error, "#{@env_var} is not valid JSON: #{reason}"}
    end
  end
end
