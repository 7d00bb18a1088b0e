defmodule SampleGear.JobContextTest do
  use ExUnit.Case, async: true

  alias SampleGear.JobContext

  doctest SampleGear.JobContext

  defp getenv(vars), do: &Map.get(vars, &1)

  test "build pads milliseconds to three digits" do
    assert JobContext.build(~U[2026-01-02 03:04:05.007Z], "job", "1") ==
             "20260102-030405.007_job_1"

    assert JobContext.build(~U[2026-01-02 03:04:05Z], "job", "1") == "20260102-030405.000_job_1"
  end

  test "from_env reads the AWS Batch variables" do
    vars = %{"AWS_BATCH_JOB_ID" => "4c2f-id", "AWS_BATCH_JOB_ATTEMPT" => "3"}

    assert JobContext.from_env(~U[2026-12-04 13:16:12.634Z], getenv(vars)) ==
             {:ok, "20261204-131612.634_4c2f-id_3"}
  end

  test "from_env names the missing variable" do
    assert {:error, message} =
             JobContext.from_env(DateTime.utc_now(), getenv(%{"AWS_BATCH_JOB_ATTEMPT" => "1"}))

    assert message =~ "AWS_BATCH_JOB_ID is not set"

    assert {:error, message} =
             JobContext.from_env(
               DateTime.utc_now(),
               getenv(%{"AWS_BATCH_JOB_ID" => "id", "AWS_BATCH_JOB_ATTEMPT" => ""})
             )

    assert message =~ "AWS_BATCH_JOB_ATTEMPT is not set"
  end
end
