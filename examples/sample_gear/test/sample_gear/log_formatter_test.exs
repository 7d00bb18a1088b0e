defmodule SampleGear.LogFormatterTest do
  use ExUnit.Case, async: true

  alias SampleGear.LogFormatter

  doctest SampleGear.LogFormatter

  @timestamp {{2026, 12, 4}, {13, 16, 12, 634}}

  test "format writes time, level, context and message" do
    line = LogFormatter.format(:info, ["Application ", "started"], @timestamp, context: "ctx_1")

    assert IO.iodata_to_binary(line) ==
             "2026-12-04T13:16:12.634+00:00 [info] context=ctx_1 Application started\n"
  end

  test "format leaves context out when the metadata has none" do
    line = LogFormatter.format(:error, "failed", @timestamp, [])
    assert IO.iodata_to_binary(line) == "2026-12-04T13:16:12.634+00:00 [error] failed\n"
  end

  test "format_timestamp writes no offset for local time" do
    assert LogFormatter.format_timestamp({{2026, 1, 2}, {3, 4, 5, 6}}, false) ==
             "2026-01-02T03:04:05.006"
  end

  test "format falls back to inspect on a malformed event" do
    line = LogFormatter.format(:info, "message", :not_a_timestamp, [])
    assert IO.iodata_to_binary(line) =~ "could not format log event"
  end
end
