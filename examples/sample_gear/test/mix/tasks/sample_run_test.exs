defmodule Mix.Tasks.Sample.RunTest do
  # The task reads process-wide environment variables, so the cases run one
  # at a time.
  use ExUnit.Case, async: false

  import ExUnit.CaptureLog

  @vars ["RAISE_SERVER_CONFIG_JSON", "AWS_BATCH_JOB_ID", "AWS_BATCH_JOB_ATTEMPT"]

  setup do
    saved = Map.new(@vars, &{&1, System.get_env(&1)})

    System.put_env(
      "RAISE_SERVER_CONFIG_JSON",
      ~S({"db": {"hostname": "db.example.invalid", "password": "hunter2"}})
    )

    System.put_env("AWS_BATCH_JOB_ID", "test-job")
    System.put_env("AWS_BATCH_JOB_ATTEMPT", "2")

    on_exit(fn ->
      Enum.each(saved, fn
        {name, nil} -> System.delete_env(name)
        {name, value} -> System.put_env(name, value)
      end)
    end)
  end

  defp run_task(argv) do
    Mix.Task.reenable("sample.run")
    Mix.Tasks.Sample.Run.run(argv)
  end

  test "logs the start line with the arguments and the job context" do
    log = capture_log(fn -> run_task(["arg1", "arg2"]) end)

    assert log =~ ~s(Application successfully started with ["arg1", "arg2"])
    assert log =~ ~r/context=\d{8}-\d{6}\.\d{3}_test-job_2 /
    refute log =~ "hunter2"
  end

  test "--exit exits with the status after the start line" do
    log =
      capture_log(fn ->
        assert catch_exit(run_task(["--exit", "3", "a"])) == {:shutdown, 3}
      end)

    assert log =~ ~s(Application successfully started with ["a"])
    assert log =~ "Exiting with status 3"
  end

  test "rejects an exit status out of range and unknown options" do
    assert_raise Mix.Error, ~r/invalid --exit 256/, fn -> run_task(["--exit", "256"]) end
    assert_raise Mix.Error, ~r/invalid option --verbose/, fn -> run_task(["--verbose"]) end
    assert_raise Mix.Error, ~r/invalid option --exit/, fn -> run_task(["--exit", "three"]) end
  end

  test "fails without the config and never prints it" do
    System.delete_env("RAISE_SERVER_CONFIG_JSON")
    assert_raise Mix.Error, ~r/RAISE_SERVER_CONFIG_JSON is not set/, fn -> run_task([]) end

    System.put_env("RAISE_SERVER_CONFIG_JSON", ~S({"password": "hunter2"}))
    error = assert_raise Mix.Error, fn -> run_task([]) end
    assert error.message =~ ~S(has no "db" object)
    refute error.message =~ "hunter2"
  end

  test "fails without the AWS Batch job id" do
    System.delete_env("AWS_BATCH_JOB_ID")
    assert_raise Mix.Error, ~r/AWS_BATCH_JOB_ID is not set/, fn -> run_task([]) end
  end
end
