// Package preflight checks everything a plan needs from outside the request
// before anything is built: files, the SSH agent, the submodule, the engine
// and the images the builds start FROM. It reports every problem at once and
// returns what the builds need: the loaded test secret and the versions.
package preflight

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/distribution/reference"

	"github.com/antikythera-gear/gearimage/internal/engine"
	"github.com/antikythera-gear/gearimage/internal/plan"
	"github.com/antikythera-gear/gearimage/internal/request"
	"github.com/antikythera-gear/gearimage/internal/sshagent"
	"github.com/antikythera-gear/gearimage/internal/submodule"
	"github.com/antikythera-gear/gearimage/internal/testsecret"
	"github.com/antikythera-gear/gearimage/internal/toolversions"
)

// Engine is the part of the Docker Engine client that preflight uses.
type Engine interface {
	Ping(ctx context.Context) error
	InspectImage(ctx context.Context, ref string) (engine.Image, bool, error)
}

// Result is the data the checks pass on to the builds.
type Result struct {
	// Secret is the test secret, rewritten for the build; nil when no build
	// needs it.
	Secret *testsecret.Secret
	// Erlang and Elixir are the versions for the elixir image.
	Erlang, Elixir string
	// VersionsFrom is the source of the versions, a file or "settings", for the log.
	VersionsFrom string
}

// Check runs every check the steps of p need and returns all problems.
// It pings the engine and looks up the images the builds start FROM.
func Check(ctx context.Context, p plan.Plan, eng Engine) (Result, request.Problems) {
	r := p.Request
	var res Result
	var ps request.Problems

	for _, step := range p.Steps {
		ps = append(ps, checkImageFiles(step)...)

		if step.CheckSubmodule {
			if err := submodule.Check(ctx, ".", r.Submodule); err != nil {
				ps = append(ps, request.Problem{Key: request.KeySubmodule, Value: r.Submodule, Message: err.Error(), Fix: "or set {submodule} to none to skip the check"})
			}
		}
		if step.NeedsVersions {
			ps = append(ps, res.resolveVersions(r)...)
		}
		if step.NeedsSecret {
			secret, problem := loadSecret(r)
			if problem != nil {
				ps = append(ps, *problem)
			}
			res.Secret = secret
		}
		if step.NeedsSSH {
			if _, err := sshagent.Check(r.SSHAuthSock); err != nil {
				ps = append(ps, request.Problem{Key: request.KeySSHAuthSock, Value: r.SSHAuthSock, Message: err.Error()})
			}
		}
	}

	ps = append(ps, checkEngine(ctx, p, eng)...)
	return res, ps
}

// checkImageFiles checks the build context and the Dockerfile of a step,
// and that the gear context is a Mix project.
func checkImageFiles(step plan.Step) request.Problems {
	contextKey, dockerfileKey := imageKeys(step.Image)
	var ps request.Problems

	info, err := os.Stat(step.Spec.Context)
	switch {
	case err != nil:
		ps = append(ps, request.Problem{Key: contextKey, Value: step.Spec.Context, Message: "build context not found: " + describe(err), Fix: "set it to the " + string(step.Image) + " image's context directory"})
	case !info.IsDir():
		ps = append(ps, request.Problem{Key: contextKey, Value: step.Spec.Context, Message: "build context is not a directory", Fix: "set it to a directory"})
	case step.Image == request.TargetGear:
		if _, err := os.Stat(filepath.Join(step.Spec.Context, "mix.exs")); err != nil {
			ps = append(ps, request.Problem{Key: contextKey, Value: step.Spec.Context, Message: "no mix.exs in the gear build context", Fix: "set it to the gear's Mix project directory"})
		}
	}

	info, err = os.Stat(step.Spec.Dockerfile)
	switch {
	case err != nil:
		ps = append(ps, request.Problem{Key: dockerfileKey, Value: step.Spec.Dockerfile, Message: "Dockerfile not found: " + describe(err), Fix: "set it to the " + string(step.Image) + " image's Dockerfile"})
	case info.IsDir():
		ps = append(ps, request.Problem{Key: dockerfileKey, Value: step.Spec.Dockerfile, Message: "is a directory, not a Dockerfile", Fix: "set it to the Dockerfile's path"})
	}
	return ps
}

func imageKeys(image request.Target) (contextKey, dockerfileKey request.Key) {
	switch image {
	case request.TargetBase:
		return request.KeyBaseContext, request.KeyBaseDockerfile
	case request.TargetElixir:
		return request.KeyElixirContext, request.KeyElixirDockerfile
	default:
		return request.KeyGearContext, request.KeyGearDockerfile
	}
}

// resolveVersions takes the Erlang and Elixir versions from the settings,
// or from the .tool-versions file for whichever is not set.
func (res *Result) resolveVersions(r *request.Request) request.Problems {
	res.Erlang, res.Elixir = r.ErlangVersion, r.ElixirVersion
	if res.Erlang != "" && res.Elixir != "" {
		res.VersionsFrom = "settings"
		return nil
	}

	versions, err := toolversions.Load(r.ToolVersions)
	if err != nil {
		return request.Problems{{Key: request.KeyToolVersions, Value: r.ToolVersions, Message: err.Error(), Fix: "or set {erlang_version} and {elixir_version}"}}
	}
	if res.Erlang == "" {
		res.Erlang = versions.Erlang
	}
	if res.Elixir == "" {
		res.Elixir = versions.Elixir
	}
	res.VersionsFrom = r.ToolVersions
	return nil
}

func loadSecret(r *request.Request) (*testsecret.Secret, *request.Problem) {
	if len(r.TestSecret) > 0 {
		secret, err := testsecret.Parse(r.TestSecret)
		if err != nil {
			return nil, &request.Problem{Key: request.KeyTestSecret, Value: fmt.Sprintf("<%d bytes>", len(r.TestSecret)), Message: err.Error()}
		}
		return secret, nil
	}
	if r.TestSecretFile == "" {
		// Validate reported the missing setting.
		return nil, nil
	}
	secret, err := testsecret.Load(r.TestSecretFile)
	if err != nil {
		return nil, &request.Problem{Key: request.KeyTestSecretFile, Value: r.TestSecretFile, Message: err.Error()}
	}
	return secret, nil
}

// checkEngine pings the engine and checks that every image a build starts
// FROM, and the previous image, are present, unless the run builds them.
func checkEngine(ctx context.Context, p plan.Plan, eng Engine) request.Problems {
	if err := eng.Ping(ctx); err != nil {
		return request.Problems{{Key: request.KeyDockerHost, Message: err.Error()}}
	}

	var ps request.Problems
	present := func(k request.Key, ref string) {
		if _, err := reference.ParseNormalizedNamed(ref); err != nil {
			// Validate reported the invalid reference.
			return
		}
		_, ok, err := eng.InspectImage(ctx, ref)
		switch {
		case err != nil:
			ps = append(ps, request.Problem{Key: k, Value: ref, Message: err.Error()})
		case !ok:
			ps = append(ps, request.Problem{Key: k, Value: ref, Message: "image not found in the engine", Fix: fixForMissing(k)})
		}
	}
	for _, step := range p.Steps {
		if step.ParentArg != "" && !step.ParentBuilt {
			present(request.Key(step.ParentArg), step.Parent)
		}
		if step.Previous != "" {
			present(request.KeyPreviousImage, step.Previous)
		}
	}
	return ps
}

func fixForMissing(k request.Key) string {
	switch k {
	case request.KeyBaseImage:
		return "build it first with mage build:base, or use target all"
	case request.KeyElixirImage:
		return "build it first with mage build:elixir, or use target all"
	default:
		return "build or load that image first, or unset {previous_image} to build from scratch"
	}
}

// describe shortens a file error to its cause, since the message already
// names the path.
func describe(err error) string {
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "no such file or directory"
	case errors.Is(err, os.ErrPermission):
		return "permission denied"
	}
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		return msg[i+2:]
	}
	return msg
}
