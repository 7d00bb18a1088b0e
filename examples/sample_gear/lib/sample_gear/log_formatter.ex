defmodule SampleGear.LogFormatter do
  @moduledoc """
  Formats console log lines as

      2026-12-04T13:16:12.634+00:00 [info] context=<job context> <message>

  The time is ISO 8601 with milliseconds. The `+00:00` offset is written only
  when Logger's `:utc_log` is true, because Logger hands over local time
  without its offset otherwise. `context=` appears when the `:context`
  metadata is set.
  """

  @doc "Formats one log event; Logger's console backend calls it."
  @spec format(atom(), IO.chardata(), Logger.Formatter.time(), keyword()) :: IO.chardata()
  def format(level, message, timestamp, metadata) do
    [
      format_timestamp(timestamp, Application.get_env(:logger, :utc_log, false)),
      " [",
      Atom.to_string(level),
      "] ",
      format_context(metadata[:context]),
      message,
      "\n"
    ]
  rescue
    # A formatter that raises would lose the event, so print it unformatted.
    _error -> ["could not format log event: ", inspect({level, message, metadata}), "\n"]
  end

  @doc """
  Formats a Logger timestamp as ISO 8601.

      iex> SampleGear.LogFormatter.format_timestamp({{2026, 12, 4}, {13, 16, 12, 34}}, true)
      "2026-12-04T13:16:12.034+00:00"
  """
  @spec format_timestamp(Logger.Formatter.time(), boolean()) :: String.t()
  def format_timestamp({{year, month, day}, {hour, minute, second, millisecond}}, utc?) do
    date = "#{year}-#{pad(month, 2)}-#{pad(day, 2)}"
    time = "#{pad(hour, 2)}:#{pad(minute, 2)}:#{pad(second, 2)}.#{pad(millisecond, 3)}"
    offset = if utc?, do: "+00:00", else: ""
    date <> "T" <> time <> offset
  end

  defp format_context(nil), do: ""
  defp format_context(context), do: ["context=", to_string(context), " "]

  defp pad(number, width), do: number |> Integer.to_string() |> String.pad_leading(width, "0")
end
