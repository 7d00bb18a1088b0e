defmodule Mix.Tasks.Sample.Run do
  @shortdoc "Runs the sample job that the gear image starts on AWS Batch"

  @moduledoc """
  Runs the sample job: checks the gear config in `RAISE_SERVER_CONFIG_JSON`,
  starts the application and logs the arguments it was started with.

      mix sample.run [--exit STATUS] [ARG...]

  `AWS_BATCH_JOB_ID` and `AWS_BATCH_JOB_ATTEMPT` must be set; they become
  the `context=` of every log line. `script/docker/run_sample.sh` fakes them
  outside AWS Batch.

  `--exit STATUS` makes the job fail: after the start line it logs an error
  and the task exits with STATUS (0 to 255), so a failing job can be tried
  out.
  """

  use Mix.Task

  require Logger

  alias SampleGear.{JobContext, ServerConfig}

  @impl Mix.Task
  def run(argv) do
    started_at = DateTime.utc_now()
    {exit_status, args} = parse_args!(argv)

    case ServerConfig.load() do
      {:ok, _config} -> :ok
      {:error, message} -> Mix.raise(message)
    end

    context =
      case JobContext.from_env(started_at) do
        {:ok, context} -> context
        {:error, message} -> Mix.raise(message)
      end

    Mix.Task.run("app.start")
    Logger.metadata(context: context)
    Logger.info("Application successfully started with #{inspect(args)}")

    if exit_status do
      Logger.error("Exiting with status #{exit_status} as --exit requested")
    end

    # Mix may halt the VM right after the task, so write the log out first.
    Logger.flush()

    if exit_status do
      exit({:shutdown, exit_status})
    end
  end

  defp parse_args!(argv) do
    case OptionParser.parse(argv, strict: [exit: :integer]) do
      {options, args, []} ->
        {exit_status!(options[:exit]), args}

      {_options, _args, [{option, _value} | _]} ->
        Mix.raise("invalid option #{option}: the only option is --exit STATUS (an integer)")
    end
  end

  defp exit_status!(nil), do: nil
  defp exit_status!(status) when status in 0..255, do: status

  defp exit_status!(status),
    do: Mix.raise("invalid --exit #{status}: an exit status is between 0 and 255")
end
