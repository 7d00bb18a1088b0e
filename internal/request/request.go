package request

import (
	"path/filepath"
	"strconv"
	"strings"
)

// Target is the image, or chain of images, a run builds.
type Target string

// Targets of a build.
const (
	TargetBase   = Target("base")
	TargetElixir = Target("elixir")
	TargetGear   = Target("gear")
	// TargetAll builds base, then elixir FROM it, then gear FROM that.
	TargetAll = Target("all")
)

// Targets lists the valid targets in chain order.
var Targets = []Target{TargetBase, TargetElixir, TargetGear, TargetAll}

// Builds reports whether a run of t builds the image named by image (base,
// elixir or gear).
func (t Target) Builds(image Target) bool {
	return t == image || t == TargetAll
}

// Image is the build context, Dockerfile and tags of one image of the
// chain.
type Image struct {
	Tags       []string
	Context    string
	Dockerfile string
}

// Request is one run of the tool: which images to build and with what.
// Paths are relative to the working directory, the repository root.
type Request struct {
	Target Target

	Base   Image
	Elixir Image
	Gear   Image

	BaseImage     string
	ElixirImage   string
	PreviousImage string

	MixEnv                string
	AntikytheraCompileEnv string
	AntikytheraRuntimeEnv string

	// TestSecretFile is the path of gear_test_config.json.
	TestSecretFile string
	// TestSecret is the content of gear_test_config.json given directly, as
	// the GitHub Action does. It is a secret: never print it.
	TestSecret []byte

	ErlangVersion string
	ElixirVersion string
	ToolVersions  string

	// Submodule is the EPUB_Converter submodule path, or empty for no check.
	Submodule string

	SSHAuthSock string
	Progress    string
	NoCache     bool

	// noCache is NoCache as given, kept for validation.
	noCache string
	// emptyLists are the problems of tag lists that were set but hold no
	// tag, found before the defaults replace them.
	emptyLists Problems
	// explicit records which settings the user gave, so validation can
	// tell a default from a choice.
	explicit map[Key]bool
}

// Lookup returns the value of a setting and whether it is set. An empty
// value counts as unset, as it does for Docker build args.
type Lookup func(Key) (string, bool)

// EnvLookup reads settings from environment variables named after their
// keys in upper case. SSH_AUTH_SOCK is the agent socket.
func EnvLookup(getenv func(string) string) Lookup {
	return func(k Key) (string, bool) {
		v := strings.TrimSpace(getenv(k.EnvName()))
		return v, v != ""
	}
}

// New builds a request for target from lookup and fills in the defaults.
// The test secret's content is taken from KeyTestSecret without trimming.
func New(target Target, lookup Lookup) *Request {
	r := &Request{Target: target, explicit: map[Key]bool{}}
	get := func(k Key) string {
		v, ok := lookup(k)
		if ok {
			r.explicit[k] = true
		}
		return v
	}

	tags := func(k Key) []string {
		raw := get(k)
		list := splitList(raw)
		if raw != "" && len(list) == 0 {
			r.emptyLists = append(r.emptyLists, Problem{Key: k, Value: raw, Message: "no tag in the list", Fix: "give at least one image reference, or unset it to use the default"})
		}
		return list
	}
	r.Base = Image{Tags: tags(KeyBaseTags), Context: get(KeyBaseContext), Dockerfile: get(KeyBaseDockerfile)}
	r.Elixir = Image{Tags: tags(KeyElixirTags), Context: get(KeyElixirContext), Dockerfile: get(KeyElixirDockerfile)}
	r.Gear = Image{Tags: tags(KeyGearTags), Context: get(KeyGearContext), Dockerfile: get(KeyGearDockerfile)}
	r.BaseImage = get(KeyBaseImage)
	r.ElixirImage = get(KeyElixirImage)
	r.PreviousImage = get(KeyPreviousImage)
	r.MixEnv = get(KeyMixEnv)
	r.AntikytheraCompileEnv = get(KeyAntikytheraCompileEnv)
	r.AntikytheraRuntimeEnv = get(KeyAntikytheraRuntimeEnv)
	r.TestSecretFile = get(KeyTestSecretFile)
	if v := get(KeyTestSecret); v != "" {
		r.TestSecret = []byte(v)
	}
	r.ErlangVersion = get(KeyErlangVersion)
	r.ElixirVersion = get(KeyElixirVersion)
	r.ToolVersions = get(KeyToolVersions)
	r.Submodule = get(KeySubmodule)
	r.SSHAuthSock = get(KeySSHAuthSock)
	r.Progress = get(KeyProgress)
	r.noCache = get(KeyNoCache)
	r.NoCache, _ = strconv.ParseBool(r.noCache)

	r.fillDefaults()
	return r
}

// Explicit reports whether the user set k rather than leaving the default.
func (r *Request) Explicit(k Key) bool { return r.explicit[k] }

// fillDefaults is the one place where defaults are set.
func (r *Request) fillDefaults() {
	fillImage(&r.Base, DefaultBaseTag, DefaultBaseContext, "")
	fillImage(&r.Elixir, DefaultElixirTag, DefaultElixirContext, "")
	fillImage(&r.Gear, DefaultGearTag, DefaultGearContext, DefaultGearDockerfile)

	if r.Target != TargetAll {
		if r.BaseImage == "" {
			r.BaseImage = r.Base.Tags[0]
		}
		if r.ElixirImage == "" {
			r.ElixirImage = r.Elixir.Tags[0]
		}
	}
	if r.ToolVersions == "" {
		r.ToolVersions = filepath.Join(r.Gear.Context, toolVersionsName)
	}
	switch r.Submodule {
	case "":
		r.Submodule = DefaultSubmodule
	case noSubmodule:
		r.Submodule = ""
	}
	if r.Progress == "" {
		r.Progress = DefaultProgress
	}
}

func fillImage(img *Image, tag, context, dockerfile string) {
	if len(img.Tags) == 0 {
		img.Tags = []string{tag}
	}
	if img.Context == "" {
		img.Context = context
	}
	if img.Dockerfile == "" {
		img.Dockerfile = dockerfile
	}
	if img.Dockerfile == "" {
		img.Dockerfile = filepath.Join(img.Context, dockerfileName)
	}
}

// splitList splits a list of values separated by commas or newlines, as
// docker/build-push-action takes its tags.
func splitList(s string) []string {
	var out []string
	for _, field := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' }) {
		if f := strings.TrimSpace(field); f != "" {
			out = append(out, f)
		}
	}
	return out
}
