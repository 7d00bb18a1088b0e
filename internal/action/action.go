// Package action is the GitHub Action adapter. It reads the Action's inputs
// into a request, masks the test secret, runs the same pipeline as the Mage
// targets, and reports through workflow commands, step outputs and the step
// summary. Validation and building live in the request and pipeline
// packages; only the input mapping and the GitHub output live here.
//
// Process state comes in through a githubactions.Action built with
// WithGetenv and WithWriter, so tests pass their own environment and output.
package action

import (
	"context"
	"errors"
	"io"
	"strings"

	"github.com/sethvargo/go-githubactions"

	"github.com/antikythera-gear/gearimage/internal/pipeline"
	"github.com/antikythera-gear/gearimage/internal/request"
)

// Defaults of the Action where the settings have none or another one.
// action.yml declares the same defaults.
const (
	// DefaultTarget is the target when the target input is empty.
	DefaultTarget = request.TargetGear
	// DefaultProgress replaces the settings' default auto: a job log is
	// not a terminal, but runners such as act give a step a pseudo-terminal,
	// where auto would write the terminal display into the log.
	DefaultProgress = "plain"
)

// Exit statuses of the Action's program.
const (
	ExitSuccess = 0
	// ExitFailure fails the step: invalid inputs (nothing built) or a
	// failed build.
	ExitFailure = 1
)

// envSSHAuthSock is the variable with the SSH agent socket. Unlike the
// settings, it is not an input: webfactory/ssh-agent and ssh-agent itself
// export it to the steps that follow.
const envSSHAuthSock = "SSH_AUTH_SOCK"

// Env is the process state the Action reads and writes, injected so tests
// run it without touching the real environment.
type Env struct {
	// Getenv reads the inputs (INPUT_*), SSH_AUTH_SOCK and the paths of
	// GITHUB_OUTPUT and GITHUB_STEP_SUMMARY.
	Getenv func(string) string
	// Stdout receives workflow commands, log lines and BuildKit's
	// progress display.
	Stdout io.Writer
}

// Connect returns a client of the Docker Engine and a function that closes
// it.
type Connect func() (pipeline.Engine, func(), error)

// Run runs the Action: it masks the test secret before it prints anything
// else, builds the request from the inputs, runs the pipeline on the engine
// from connect, then sets the step outputs and writes the step summary. It
// returns the exit status for the step.
func Run(ctx context.Context, env Env, connect Connect) int {
	gh := githubactions.New(githubactions.WithGetenv(env.Getenv), githubactions.WithWriter(env.Stdout))
	maskTestSecret(gh)

	target := request.Target(gh.GetInput(string(request.KeyTarget)))
	if target == "" {
		target = DefaultTarget
	}
	req := request.New(target, inputLookup(gh))

	eng, closeEngine, err := connect()
	if err != nil {
		// The pipeline reports this engine's failed ping together with
		// every other problem of the inputs.
		eng, closeEngine = unreachableEngine{err: err}, func() {}
	}
	defer closeEngine()

	obs := &observer{gh: gh}
	results, err := pipeline.Run(ctx, req, eng, pipeline.Options{Observer: obs, ProgressOutput: env.Stdout})

	status := exitStatus(gh, obs, err)
	if outErr := writeOutputs(gh, target, results); outErr != nil {
		gh.WithFieldsMap(map[string]string{"title": "Step outputs not written"}).Errorf("%v", outErr)
		status = ExitFailure
	}
	if sumErr := writeSummary(gh, target, results, obs, err); sumErr != nil {
		gh.Warningf("The step summary was not written: %v", sumErr)
	}
	return status
}

// inputLookup reads each setting from the Action input of the same name,
// except the SSH agent socket, which comes from SSH_AUTH_SOCK in the
// environment of the step. Inputs are trimmed of surrounding whitespace.
// An empty progress input means DefaultProgress.
func inputLookup(gh *githubactions.Action) request.Lookup {
	return func(k request.Key) (string, bool) {
		var value string
		switch k {
		case request.KeySSHAuthSock:
			value = strings.TrimSpace(gh.Getenv(envSSHAuthSock))
		case request.KeyProgress:
			value = gh.GetInput(string(k))
			if value == "" {
				value = DefaultProgress
			}
		default:
			value = gh.GetInput(string(k))
		}
		return value, value != ""
	}
}

// exitStatus reports an error that no observer call has shown yet and
// returns the exit status for err.
func exitStatus(gh *githubactions.Action, obs *observer, err error) int {
	if err == nil {
		return ExitSuccess
	}

	var invalid *pipeline.InvalidError
	switch {
	case errors.As(err, &invalid):
		gh.Infof("%s found; nothing was built or tagged.", request.CountProblems(len(invalid.Problems)))
	case !obs.failed:
		// An error between the checks and the builds, such as finding the
		// host gateway address.
		gh.WithFieldsMap(map[string]string{"title": "Gear image build failed"}).Errorf("%v", err)
	}
	return ExitFailure
}

// unreachableEngine is the engine of a run whose client could not be
// created. Its Ping returns that error, so the pipeline's engine check
// reports it with the other problems.
type unreachableEngine struct {
	pipeline.Engine
	err error
}

// Ping returns the error that prevented creating the client. The pipeline
// stops before building when Ping fails, so no other method is called.
func (u unreachableEngine) Ping(context.Context) error { return u.err }
