package tasks

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/distribution/reference"
	"github.com/google/shlex"
	"github.com/magefile/mage/mg"

	"github.com/antikythera-gear/gearimage/internal/engine"
	"github.com/antikythera-gear/gearimage/internal/report"
	"github.com/antikythera-gear/gearimage/internal/request"
	"github.com/antikythera-gear/gearimage/internal/testsecret"
)

// Settings of run:local, read from environment variables.
const (
	envRunImage     = "RUN_IMAGE"
	envRunConfig    = "GEAR_DOCKER_CONFIG"
	envRunCommand   = "RUN_COMMAND"
	configVariable  = "RAISE_SERVER_CONFIG_JSON"
	defaultConfig   = "gear_docker_config.json"
	defaultCommand  = "./script/docker/run_sample.sh"
	runSettingsHelp = `RUN_IMAGE
    gear image run:local starts
    default: the first of GEAR_TAGS (raise-gear-local)
GEAR_DOCKER_CONFIG
    JSON config with a db object, passed compacted as RAISE_SERVER_CONFIG_JSON; never printed
    default: gear_docker_config.json
RUN_COMMAND
    command and arguments run in the container, split like a shell does but never run by one
    default: ./script/docker/run_sample.sh
`
)

// RunLocal runs the gear image like AWS Batch does: the config in
// RAISE_SERVER_CONFIG_JSON and the user's command. It returns an error
// carrying the container's exit code when that is not 0.
func RunLocal(ctx context.Context, env Env, stdin *os.File) error {
	term := report.NewTerminal(env.Stdout, request.EnvNamer, env.Getenv)
	req := request.New(request.TargetGear, request.EnvLookup(env.Getenv))

	image := env.Getenv(envRunImage)
	if image == "" {
		image = req.Gear.Tags[0]
	}
	configPath := env.Getenv(envRunConfig)
	if configPath == "" {
		configPath = defaultConfig
	}
	command := env.Getenv(envRunCommand)
	if command == "" {
		command = defaultCommand
	}

	var problems []string
	config, err := loadRunConfig(configPath)
	if err != nil {
		problems = append(problems, fmt.Sprintf("%s=%q: %v; the file holds the gear config JSON, with a db object as in gear_config.json", envRunConfig, configPath, err))
	}
	args, err := shlex.Split(command)
	if err == nil && (len(args) == 0 || args[0] == "") {
		err = fmt.Errorf("no command given")
	}
	if err != nil {
		problems = append(problems, fmt.Sprintf("%s=%q: %v; give the command and its arguments, for example %s arg1 arg2", envRunCommand, command, err, defaultCommand))
	}

	eng, err := engine.New()
	var extraHosts []string
	if err == nil {
		defer eng.Close()
		err = eng.Ping(ctx)
	}
	if err != nil {
		problems = append(problems, fmt.Sprintf("%s: %v", request.KeyDockerHost.EnvName(), err))
	} else {
		if _, err := reference.ParseNormalizedNamed(image); err != nil {
			problems = append(problems, fmt.Sprintf("%s=%q: not a valid image reference: %v; use a name such as raise-gear-local", envRunImage, image, err))
		} else if _, ok, err := eng.InspectImage(ctx, image); err != nil {
			problems = append(problems, fmt.Sprintf("%s=%q: %v", envRunImage, image, err))
		} else if !ok {
			problems = append(problems, fmt.Sprintf("%s=%q: image not found in the engine; build it with mage build:gear or set %s to a gear image", envRunImage, image, envRunImage))
		}
		entry, err := eng.HostGatewayEntry(ctx)
		if err != nil {
			problems = append(problems, err.Error())
		}
		extraHosts = []string{entry}
	}
	if len(problems) > 0 {
		term.Problems(problems, "started")
		return mg.Fatalf(exitInvalid, "stopped before running: %s, listed above", request.CountProblems(len(problems)))
	}

	tty := engine.IsTerminal(stdin) && engine.IsTerminal(asFile(env.Stdout))
	term.Line(fmt.Sprintf("==> running %s in %s (config from %s)", command, image, configPath))
	result, err := eng.Run(ctx, engine.RunOptions{
		Image:      image,
		Cmd:        args,
		Env:        []string{configVariable + "=" + string(config)},
		ExtraHosts: extraHosts,
		TTY:        tty,
		Stdin:      stdin,
		Stdout:     env.Stdout,
		Stderr:     env.Stderr,
	})
	if err != nil {
		return mg.Fatal(exitFailed, err)
	}
	if result.Killed {
		fmt.Fprintf(env.Stdout, "The container ignored SIGINT for a few seconds and was killed with SIGKILL. A command that runs as PID 1 ignores SIGINT unless it handles it.\n")
	}
	if result.ExitCode != 0 {
		return mg.Fatalf(result.ExitCode, "the container exited with status %d", result.ExitCode)
	}
	return nil
}

// loadRunConfig checks the config like the test secret (JSON with a db
// object and db.hostname), rewrites a loopback db.hostname to
// host.docker.internal, and compacts it to one line.
func loadRunConfig(path string) ([]byte, error) {
	cfg, err := testsecret.Load(path)
	if err != nil {
		return nil, err
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, cfg.Bytes()); err != nil {
		return nil, fmt.Errorf("compact the config: invalid JSON at byte %d", syntaxOffset(err))
	}
	return compact.Bytes(), nil
}

func syntaxOffset(err error) int64 {
	if se, ok := err.(*json.SyntaxError); ok {
		return se.Offset
	}
	return -1
}

func asFile(w any) *os.File {
	f, _ := w.(*os.File)
	return f
}
