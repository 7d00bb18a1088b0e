defmodule SampleGear.JobContext do
  @moduledoc """
  Builds the context id that every log line of a job carries, in the form
  `<YYYYMMDD-HHMMSS.mmm>_<job id>_<attempt>`, where the time is when the job
  started, in UTC.

  AWS Batch sets the job id and attempt in `AWS_BATCH_JOB_ID` and
  `AWS_BATCH_JOB_ATTEMPT`.
  """

  @job_id_var "AWS_BATCH_JOB_ID"
  @attempt_var "AWS_BATCH_JOB_ATTEMPT"

  @doc """
  Builds the context from the AWS Batch variables that `getenv` returns.

  Returns `{:error, message}` naming the variable when one is missing or
  empty.
  """
  @spec from_env(DateTime.t(), (String.t() -> String.t() | nil)) ::
          {:ok, String.t()} | {:error, String.t()}
  def from_env(started_at, getenv \\ &System.get_env/1) do
    with {:ok, job_id} <- fetch(getenv, @job_id_var),
         {:ok, attempt} <- fetch(getenv, @attempt_var) do
      {:ok, build(started_at, job_id, attempt)}
    end
  end

  @doc """
  Formats the context id.

      iex> SampleGear.JobContext.build(~U[2026-12-04 13:16:12.634512Z], "job-1", "2")
      "20261204-131612.634_job-1_2"
  """
  @spec build(DateTime.t(), String.t(), String.t()) :: String.t()
  def build(%DateTime{} = started_at, job_id, attempt) do
    utc = DateTime.shift_zone!(started_at, "Etc/UTC")
    {microsecond, _precision} = utc.microsecond
    millisecond = microsecond |> div(1000) |> Integer.to_string() |> String.pad_leading(3, "0")

    Calendar.strftime(utc, "%Y%m%d-%H%M%S") <> "." <> millisecond <> "_#{job_id}_#{attempt}"
  end

  defp fetch(getenv, name) do
    case getenv.(name) do
      value when value in [nil, ""] ->
        {:error,
         "#{name} is not set: AWS Batch sets it, and script/docker/run_sample.sh fakes it"}

      value ->
        {:ok, value}
    end
  end
end
