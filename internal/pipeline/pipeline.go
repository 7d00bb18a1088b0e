// Package pipeline runs one request: validation, plan, preflight, then the
// builds in order, telling an Observer what happens. The Mage targets and
// the GitHub Action both run requests through here.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/antikythera-gear/gearimage/internal/engine"
	"github.com/antikythera-gear/gearimage/internal/plan"
	"github.com/antikythera-gear/gearimage/internal/preflight"
	"github.com/antikythera-gear/gearimage/internal/request"
)

// Engine is the part of the Docker Engine client that a run uses.
type Engine interface {
	preflight.Engine
	Build(ctx context.Context, opts engine.BuildOptions) (engine.BuildResult, error)
	HostGatewayEntry(ctx context.Context) (string, error)
}

// Observer receives the events of a run, to show them to the user.
type Observer interface {
	// Invalid receives every problem found before building.
	Invalid(request.Problems)
	// Note receives a line of information about a step, such as where
	// the versions came from. It may name settings as {key}, which the
	// observer expands with request.ExpandKeys.
	Note(step plan.Step, message string)
	Started(step plan.Step)
	Finished(step plan.Step, result Result)
	Failed(step plan.Step, err error, elapsed time.Duration)
}

// Result is one image a run built.
type Result struct {
	Image    request.Target
	Tags     []string
	ImageID  string
	Size     int64
	Duration time.Duration
	// Reused is the image whose _build and deps the gear build copied
	// in; empty when it built from scratch or is not a gear.
	Reused string
}

// Options of a run.
type Options struct {
	Observer Observer
	// ProgressOutput receives BuildKit's progress display; nil hides it.
	ProgressOutput io.Writer
}

// ErrInvalid is returned, wrapped in InvalidError, when a run stops before
// building because of problems with its settings or environment.
var ErrInvalid = errors.New("invalid request")

// InvalidError carries the problems that stopped a run.
type InvalidError struct {
	Problems request.Problems
}

func (e *InvalidError) Error() string { return e.Problems.Error() }

// Is makes errors.Is(err, ErrInvalid) true.
func (e *InvalidError) Is(target error) bool { return target == ErrInvalid }

// StepError is the failure of one image build, already shown to the
// Observer.
type StepError struct {
	Image request.Target
	Err   error
}

func (e *StepError) Error() string { return fmt.Sprintf("build %s image: %v", e.Image, e.Err) }

func (e *StepError) Unwrap() error { return e.Err }

// Check validates r and runs every preflight check without building,
// telling opts.Observer of the problems. It returns the plan and what the builds need, or an *InvalidError listing
// every problem.
func Check(ctx context.Context, r *request.Request, eng Engine, opts Options) (plan.Plan, preflight.Result, error) {
	problems := r.Validate()
	if r.Progress == "tty" && !engine.IsTerminalWriter(opts.ProgressOutput) {
		problems = append(problems, request.Problem{Key: request.KeyProgress, Value: r.Progress, Message: "the progress output is not a terminal", Fix: "use auto or plain"})
	}
	p := plan.New(r)

	// Preflight runs even when validation failed, so one run reports every
	// problem.
	res, more := preflight.Check(ctx, p, eng)
	problems = append(problems, more...)
	if len(problems) > 0 {
		opts.Observer.Invalid(problems)
		return p, res, &InvalidError{Problems: problems}
	}
	return p, res, nil
}

// Run checks r and then builds its images in order. It stops at the first
// failed build; the results of the builds before it are returned.
func Run(ctx context.Context, r *request.Request, eng Engine, opts Options) ([]Result, error) {
	p, checked, err := Check(ctx, r, eng, opts)
	if err != nil {
		return nil, err
	}

	var extraHosts []string
	for _, step := range p.Steps {
		if step.Image == request.TargetGear {
			entry, err := eng.HostGatewayEntry(ctx)
			if err != nil {
				return nil, err
			}
			extraHosts = []string{entry}
		}
	}

	var results []Result
	for _, step := range p.Steps {
		result, err := runStep(ctx, r, step, checked, extraHosts, eng, opts)
		if err != nil {
			return results, err
		}
		results = append(results, result)
	}
	return results, nil
}

func runStep(ctx context.Context, r *request.Request, step plan.Step, checked preflight.Result, extraHosts []string, eng Engine, opts Options) (Result, error) {
	obs := opts.Observer
	step.BuildArgs = maps.Clone(step.BuildArgs)

	buildOpts := engine.BuildOptions{
		ContextDir:     step.Spec.Context,
		Dockerfile:     step.Spec.Dockerfile,
		Tags:           step.Spec.Tags,
		NoCache:        r.NoCache,
		Progress:       r.Progress,
		ProgressOutput: opts.ProgressOutput,
	}
	if step.NeedsVersions {
		step.SetVersions(checked.Erlang, checked.Elixir)
		obs.Note(step, fmt.Sprintf("Erlang %s and Elixir %s from %s", checked.Erlang, checked.Elixir, checked.VersionsFrom))
	}
	if step.Image == request.TargetGear {
		buildOpts.SSHAgentSocket = r.SSHAuthSock
		buildOpts.ExtraHosts = extraHosts
		if !step.NeedsSecret {
			var unused []string
			for k, v := range map[request.Key]string{
				request.KeyAntikytheraCompileEnv: r.AntikytheraCompileEnv,
				request.KeyAntikytheraRuntimeEnv: r.AntikytheraRuntimeEnv,
				request.KeyTestSecretFile:        r.TestSecretFile,
				request.KeyTestSecret:            string(r.TestSecret),
			} {
				if v != "" {
					unused = append(unused, "{"+string(k)+"}")
				}
			}
			if len(unused) > 0 {
				slices.Sort(unused)
				obs.Note(step, fmt.Sprintf("%s unused: only a prod build runs mix test and the prod compile", strings.Join(unused, ", ")))
			}
		}
		if step.Previous != "" {
			obs.Note(step, "reusing _build and deps from "+step.Previous)
		} else {
			obs.Note(step, "no previous image: building the Mix project from scratch")
		}
	}
	if step.NeedsSecret && checked.Secret != nil {
		buildOpts.Secrets = map[string][]byte{plan.SecretID: checked.Secret.Bytes()}
		if checked.Secret.Rewritten() {
			obs.Note(step, fmt.Sprintf("test secret: db.hostname %q is rewritten to %q for the build", checked.Secret.OriginalHostname(), checked.Secret.Hostname()))
		}
	}
	// A test secret file inside a context is never sent with it, so a
	// COPY . cannot put it in an image.
	if r.TestSecretFile != "" {
		buildOpts.Exclude = []string{r.TestSecretFile}
		if engine.InContext(step.Spec.Context, r.TestSecretFile) {
			obs.Note(step, "{test_secret_file} is inside the build context and is left out of it, so it cannot reach the image")
		}
	}
	buildOpts.BuildArgs = step.BuildArgs
	buildOpts.Labels = step.Labels

	obs.Started(step)
	start := time.Now()
	built, err := eng.Build(ctx, buildOpts)
	elapsed := time.Since(start)
	if err != nil {
		err = &StepError{Image: step.Image, Err: err}
		obs.Failed(step, err, elapsed)
		return Result{}, err
	}

	result := Result{Image: step.Image, Tags: step.Spec.Tags, ImageID: built.ImageID, Duration: elapsed, Reused: step.Previous}
	if img, ok, err := eng.InspectImage(ctx, built.ImageID); err == nil && ok {
		result.Size = img.Size
	}
	obs.Finished(step, result)
	return result, nil
}
