// Package tasks is the code behind the Mage targets: it reads the settings
// from the environment, runs the pipeline and turns its outcome into an
// exit status. The magefiles only name and document the targets.
package tasks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/magefile/mage/mg"

	"github.com/antikythera-gear/gearimage/internal/engine"
	"github.com/antikythera-gear/gearimage/internal/pipeline"
	"github.com/antikythera-gear/gearimage/internal/report"
	"github.com/antikythera-gear/gearimage/internal/request"
	"github.com/antikythera-gear/gearimage/internal/submodule"
)

// Exit statuses of the targets.
const (
	exitFailed  = 1
	exitInvalid = 2
)

// Env is the process state a task reads and writes, injected so tests can
// run tasks without touching the real environment.
type Env struct {
	Getenv func(string) string
	Stdout io.Writer
	Stderr io.Writer
}

// OSEnv returns the real environment, stdout and stderr.
func OSEnv() Env {
	return Env{Getenv: os.Getenv, Stdout: os.Stdout, Stderr: os.Stderr}
}

// Build builds target (base, elixir, gear or all) with the settings from
// the environment.
func Build(ctx context.Context, env Env, target request.Target) error {
	req := request.New(target, request.EnvLookup(env.Getenv))
	term := report.NewTerminal(env.Stdout, request.EnvNamer, env.Getenv)

	eng, closeEngine := connect()
	defer closeEngine()

	results, err := pipeline.Run(ctx, req, eng, pipeline.Options{Observer: term, ProgressOutput: env.Stderr})
	term.Summary(results)
	return exitError(err)
}

// envCheckTarget names the build that Check checks.
const envCheckTarget = "CHECK_TARGET"

// Check runs every check of the build named by CHECK_TARGET, by default
// all, without building anything.
func Check(ctx context.Context, env Env) error {
	target := request.TargetAll
	if t := env.Getenv(envCheckTarget); t != "" {
		target = request.Target(t)
	}
	if !slices.Contains(request.Targets, target) {
		return mg.Fatalf(exitInvalid, "%s=%q: unknown target; use one of base, elixir, gear, all", envCheckTarget, target)
	}
	req := request.New(target, request.EnvLookup(env.Getenv))
	term := report.NewTerminal(env.Stdout, request.EnvNamer, env.Getenv)

	eng, closeEngine := connect()
	defer closeEngine()

	p, _, err := pipeline.Check(ctx, req, eng, pipeline.Options{Observer: term, ProgressOutput: env.Stderr})
	if err != nil {
		return exitError(err)
	}
	images := make([]string, len(p.Steps))
	for i, s := range p.Steps {
		images[i] = string(s.Image)
	}
	fmt.Fprintf(env.Stdout, "All checks of build:%s passed (%s); nothing was built.\n", target, strings.Join(images, ", "))
	return nil
}

// CheckSubmodules reports the state of the EPUB_Converter submodule.
func CheckSubmodules(ctx context.Context, env Env) error {
	req := request.New(request.TargetBase, request.EnvLookup(env.Getenv))
	if req.Submodule == "" {
		fmt.Fprintf(env.Stdout, "%s is none: no submodule to check.\n", request.KeySubmodule.EnvName())
		return nil
	}
	if err := submodule.Check(ctx, ".", req.Submodule); err != nil {
		return mg.Fatalf(exitInvalid, "%s=%q: %v; or set %s to none to skip the check", request.KeySubmodule.EnvName(), req.Submodule, err, request.KeySubmodule.EnvName())
	}
	fmt.Fprintf(env.Stdout, "Submodule %s is checked out at the recorded commit.\n", req.Submodule)
	return nil
}

// Settings prints every setting with its default and allowed values.
func Settings(env Env) {
	for _, s := range request.Settings {
		usage := request.ExpandKeys(s.Usage, request.EnvNamer)
		def := request.ExpandKeys(orNone(s.Default), request.EnvNamer)
		fmt.Fprintf(env.Stdout, "%s\n    %s\n    default: %s; allowed: %s\n", s.Key.EnvName(), usage, def, s.Allowed)
	}
	fmt.Fprint(env.Stdout, runSettingsHelp+otherSettingsHelp)
}

// otherSettingsHelp documents the settings that only some targets read, or
// that libraries read.
const otherSettingsHelp = `CHECK_TARGET
    image or chain check:all checks
    default: all; allowed: base, elixir, gear, all
DEBIAN_SUITE
    Debian release of the build:offlineElixir image
    default: bookworm
DEBIAN_MIRROR
    Debian archive build:offlineElixir installs from
    default: the main Debian archive of this machine's apt sources
DOCKER_HOST
    engine address, read by the Docker client library
    default: unix:///var/run/docker.sock
NO_COLOR
    any value turns colour off; output that is not a terminal has none anyway
    default: unset
`

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// connect returns a client of the engine in DOCKER_HOST. A client that
// cannot even be created is replaced by one whose every call fails with
// that error, so the problem is reported with all the others.
func connect() (pipeline.Engine, func()) {
	eng, err := engine.New()
	if err != nil {
		return brokenEngine{err: err}, func() {}
	}
	return eng, func() { eng.Close() }
}

type brokenEngine struct {
	pipeline.Engine
	err error
}

func (b brokenEngine) Ping(context.Context) error { return b.err }

// exitError turns a pipeline error into a Mage error with an exit status:
// 2 for invalid settings, 1 for a failed or interrupted build. The observer
// has already shown the details, so the message only states why the target
// stopped.
func exitError(err error) error {
	if err == nil {
		return nil
	}
	var invalid *pipeline.InvalidError
	if errors.As(err, &invalid) {
		return mg.Fatalf(exitInvalid, "stopped before building: %s, listed above", request.CountProblems(len(invalid.Problems)))
	}
	var step *pipeline.StepError
	switch {
	case errors.Is(err, context.Canceled):
		return mg.Fatalf(exitFailed, "stopped: interrupted; the running build was cancelled and nothing more was tagged")
	case errors.As(err, &step):
		return mg.Fatalf(exitFailed, "stopped: the %s build failed, see above", step.Image)
	}
	return mg.Fatal(exitFailed, err)
}
