// Package plan turns a request into the ordered image builds of a run.
package plan

import (
	"github.com/antikythera-gear/gearimage/internal/request"
)

// Build args and labels the tool passes. The production Dockerfiles
// declare each of these build args.
const (
	ArgBaseImage             = "base_image"
	ArgErlangVersion         = "erlang_version"
	ArgElixirVersion         = "elixir_version"
	ArgElixirImage           = "elixir_image"
	ArgPreviousImage         = "previous_image"
	ArgMixEnv                = "mix_env"
	ArgAntikytheraCompileEnv = "antikythera_compile_env"
	ArgAntikytheraRuntimeEnv = "antikythera_runtime_env"

	LabelErlangVersion = "org.antikythera.erlang-version"
	LabelElixirVersion = "org.antikythera.elixir-version"

	// SecretID is the build secret id of gear_test_config.json.
	SecretID = "test_secret"
)

// Step is one image build.
type Step struct {
	// Image is base, elixir or gear.
	Image request.Target
	// Spec is the tags, context and Dockerfile of the build.
	Spec      request.Image
	BuildArgs map[string]string
	Labels    map[string]string

	// ParentArg is the build arg naming the image this one is built FROM,
	// and Parent its value. When ParentBuilt is true, Parent is the first
	// tag of the step before, built earlier in the same run.
	ParentArg   string
	Parent      string
	ParentBuilt bool

	// Previous is the image whose _build and deps a gear build reuses;
	// empty when it builds from scratch.
	Previous string

	NeedsSecret bool
	NeedsSSH    bool
	// CheckSubmodule is set for the base image, whose context contains
	// the EPUB_Converter submodule.
	CheckSubmodule bool
	// NeedsVersions is set for the elixir image, which takes the Erlang
	// and Elixir versions as build args.
	NeedsVersions bool
}

// Plan is the builds of one run, in order.
type Plan struct {
	Request *request.Request
	Steps   []Step
}

// New returns the builds of request r. It expects a request that passed
// Validate.
func New(r *request.Request) Plan {
	p := Plan{Request: r}

	if r.Target.Builds(request.TargetBase) {
		p.Steps = append(p.Steps, Step{
			Image:          request.TargetBase,
			Spec:           r.Base,
			CheckSubmodule: r.Submodule != "",
		})
	}

	if r.Target.Builds(request.TargetElixir) {
		parent, built := r.BaseImage, false
		if r.Target == request.TargetAll {
			parent, built = r.Base.Tags[0], true
		}
		p.Steps = append(p.Steps, Step{
			Image:         request.TargetElixir,
			Spec:          r.Elixir,
			BuildArgs:     map[string]string{ArgBaseImage: parent},
			ParentArg:     ArgBaseImage,
			Parent:        parent,
			ParentBuilt:   built,
			NeedsVersions: true,
		})
	}

	if r.Target.Builds(request.TargetGear) {
		parent, built := r.ElixirImage, false
		if r.Target == request.TargetAll {
			parent, built = r.Elixir.Tags[0], true
		}
		// The gear Dockerfile always starts a stage FROM previous_image,
		// so the elixir image is passed when there is nothing to reuse.
		previous := r.PreviousImage
		if previous == "" {
			previous = parent
		}
		args := map[string]string{
			ArgElixirImage:   parent,
			ArgPreviousImage: previous,
			ArgMixEnv:        r.MixEnv,
		}
		if r.AntikytheraCompileEnv != "" {
			args[ArgAntikytheraCompileEnv] = r.AntikytheraCompileEnv
		}
		if r.AntikytheraRuntimeEnv != "" {
			args[ArgAntikytheraRuntimeEnv] = r.AntikytheraRuntimeEnv
		}
		p.Steps = append(p.Steps, Step{
			Image:       request.TargetGear,
			Spec:        r.Gear,
			BuildArgs:   args,
			ParentArg:   ArgElixirImage,
			Parent:      parent,
			ParentBuilt: built,
			Previous:    r.PreviousImage,
			NeedsSecret: r.MixEnv == "prod",
			NeedsSSH:    true,
		})
	}
	return p
}

// SetVersions passes the Erlang and Elixir versions to the elixir build, as
// build args and as labels of the image.
func (s *Step) SetVersions(erlang, elixir string) {
	s.BuildArgs[ArgErlangVersion] = erlang
	s.BuildArgs[ArgElixirVersion] = elixir
	if s.Labels == nil {
		s.Labels = map[string]string{}
	}
	s.Labels[LabelErlangVersion] = erlang
	s.Labels[LabelElixirVersion] = elixir
}
