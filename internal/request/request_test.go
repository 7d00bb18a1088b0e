package request

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func lookupOf(values map[string]string) Lookup {
	return EnvLookup(func(name string) string { return values[name] })
}

func TestNewFillsDefaults(t *testing.T) {
	r := New(TargetGear, lookupOf(nil))

	assert.Equal(t, Image{Tags: []string{"raise-base-local"}, Context: "docker/base", Dockerfile: "docker/base/Dockerfile"}, r.Base)
	assert.Equal(t, Image{Tags: []string{"raise-elixir-local"}, Context: "docker/elixir", Dockerfile: "docker/elixir/Dockerfile"}, r.Elixir)
	assert.Equal(t, Image{Tags: []string{"raise-gear-local"}, Context: ".", Dockerfile: "Dockerfile"}, r.Gear)
	assert.Equal(t, "raise-base-local", r.BaseImage)
	assert.Equal(t, "raise-elixir-local", r.ElixirImage)
	assert.Empty(t, r.PreviousImage)
	assert.Equal(t, ".tool-versions", r.ToolVersions)
	assert.Equal(t, "docker/base/EPUB_Converter", r.Submodule)
	assert.Equal(t, "auto", r.Progress)
	assert.False(t, r.NoCache)
}

func TestNewReadsEnvironment(t *testing.T) {
	r := New(TargetGear, lookupOf(map[string]string{
		"GEAR_TAGS":               "a:1, b:2\nc",
		"GEAR_CONTEXT":            "examples/sample_gear",
		"MIX_ENV":                 " prod ",
		"ANTIKYTHERA_COMPILE_ENV": "dev",
		"PREVIOUS_IMAGE":          "raise-gear-local",
		"TEST_SECRET_FILE":        "secret.json",
		"ERLANG_VERSION":          "25.2.3",
		"SUBMODULE":               "none",
		"SSH_AUTH_SOCK":           "/tmp/agent.sock",
		"NO_CACHE":                "true",
		"PROGRESS":                "plain",
	}))

	assert.Equal(t, []string{"a:1", "b:2", "c"}, r.Gear.Tags)
	assert.Equal(t, "examples/sample_gear", r.Gear.Context)
	assert.Equal(t, "Dockerfile", r.Gear.Dockerfile, "the gear Dockerfile stays at the repository root")
	assert.Equal(t, "examples/sample_gear/.tool-versions", r.ToolVersions)
	assert.Equal(t, "prod", r.MixEnv)
	assert.Equal(t, "dev", r.AntikytheraCompileEnv)
	assert.Equal(t, "raise-gear-local", r.PreviousImage)
	assert.Equal(t, "secret.json", r.TestSecretFile)
	assert.Equal(t, "25.2.3", r.ErlangVersion)
	assert.Empty(t, r.Submodule)
	assert.Equal(t, "/tmp/agent.sock", r.SSHAuthSock)
	assert.True(t, r.NoCache)
	assert.Equal(t, "plain", r.Progress)
	assert.True(t, r.Explicit(KeyGearTags))
	assert.False(t, r.Explicit(KeyBaseTags))
}

func TestNewAllLeavesParentsUnset(t *testing.T) {
	r := New(TargetAll, lookupOf(nil))
	assert.Empty(t, r.BaseImage)
	assert.Empty(t, r.ElixirImage)
}

func TestValidateAcceptsGoodRequests(t *testing.T) {
	for _, env := range []map[string]string{
		{"MIX_ENV": "dev"},
		{"MIX_ENV": "prod", "ANTIKYTHERA_COMPILE_ENV": "dev", "ANTIKYTHERA_RUNTIME_ENV": "dev", "TEST_SECRET_FILE": "s.json"},
		{"MIX_ENV": "prod", "ANTIKYTHERA_COMPILE_ENV": "dev", "ANTIKYTHERA_RUNTIME_ENV": "dev", "TEST_SECRET": `{"db":{}}`},
		{"MIX_ENV": "dev", "GEAR_TAGS": "registry.example.com:5000/team/gear:1.2,gear:latest", "PREVIOUS_IMAGE": "gear@sha256:" + sha},
	} {
		assert.Empty(t, New(TargetGear, lookupOf(env)).Validate(), "%v", env)
	}
}

const sha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func TestValidateProblems(t *testing.T) {
	cases := []struct {
		name   string
		target Target
		env    map[string]string
		want   []string
	}{
		{"unknown target", "web", nil, []string{`TARGET="web": unknown target; use one of base, elixir, gear, all`}},
		{"mix env missing", TargetGear, nil, []string{"MIX_ENV: missing; the gear build needs it; set it to dev or prod"}},
		{"mix env invalid", TargetGear, map[string]string{"MIX_ENV": "test"}, []string{`MIX_ENV="test": must be dev or prod; set it to dev or prod`}},
		{"prod needs envs and secret", TargetGear, map[string]string{"MIX_ENV": "prod"}, []string{
			"ANTIKYTHERA_COMPILE_ENV: missing; it is required when MIX_ENV is prod; set it to the Antikythera environment name, for example dev",
			"ANTIKYTHERA_RUNTIME_ENV: missing; it is required when MIX_ENV is prod; set it to the Antikythera environment name, for example dev",
			"TEST_SECRET_FILE: missing; mix test needs the whitebox test config when MIX_ENV is prod; set it to the path of gear_test_config.json",
		}},
		{"secret twice", TargetGear, map[string]string{"MIX_ENV": "dev", "TEST_SECRET_FILE": "a.json", "TEST_SECRET": "{}"}, []string{
			`TEST_SECRET="<2 bytes>": given together with TEST_SECRET_FILE; set only one of the two`,
		}},
		{"bad tag", TargetBase, map[string]string{"BASE_TAGS": "ok,Bad"}, []string{`BASE_TAGS="Bad": not a valid image reference`}},
		{"digest as tag", TargetBase, map[string]string{"BASE_TAGS": "base@sha256:" + sha}, []string{"a digest cannot be a tag of a built image"}},
		{"bad base image", TargetElixir, map[string]string{"BASE_IMAGE": "a b"}, []string{`BASE_IMAGE="a b": not a valid image reference`}},
		{"bad previous image", TargetGear, map[string]string{"MIX_ENV": "dev", "PREVIOUS_IMAGE": "::"}, []string{`PREVIOUS_IMAGE="::": not a valid image reference`}},
		{"parents with all", TargetAll, map[string]string{"MIX_ENV": "dev", "BASE_IMAGE": "b", "ELIXIR_IMAGE": "e"}, []string{
			`BASE_IMAGE="b": cannot be set when the target is all`,
			`ELIXIR_IMAGE="e": cannot be set when the target is all`,
		}},
		{"progress", TargetBase, map[string]string{"PROGRESS": "fancy"}, []string{`PROGRESS="fancy": unknown progress mode; use one of auto, tty, plain, quiet`}},
		{"no cache", TargetBase, map[string]string{"NO_CACHE": "maybe"}, []string{`NO_CACHE="maybe": not a boolean; use true or false`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ps := New(tc.target, lookupOf(tc.env)).Validate()
			require.Len(t, ps, len(tc.want), ps.Error())
			for i, want := range tc.want {
				assert.Contains(t, ps[i].Format(EnvNamer), want)
			}
		})
	}
}

func TestValidateIgnoresSettingsOfOtherImages(t *testing.T) {
	// A base build does not need MIX_ENV, nor valid gear tags.
	ps := New(TargetBase, lookupOf(map[string]string{"GEAR_TAGS": "Bad", "MIX_ENV": "test"})).Validate()
	assert.Empty(t, ps)
}

func TestProblemFormatNamesInputs(t *testing.T) {
	ps := New(TargetGear, lookupOf(map[string]string{"MIX_ENV": "prod"})).Validate()
	require.NotEmpty(t, ps)
	assert.Equal(t, "antikythera_compile_env: missing; it is required when mix_env is prod; set it to the Antikythera environment name, for example dev", ps[0].Format(InputNamer))
	assert.Equal(t, "SSH_AUTH_SOCK", InputNamer(KeySSHAuthSock))
}

func TestProblemsError(t *testing.T) {
	ps := Problems{{Key: KeyMixEnv, Message: "missing"}, {Key: KeyProgress, Value: "x", Message: "unknown"}}
	assert.Equal(t, "2 problems found, nothing was built:\n  - MIX_ENV: missing\n  - PROGRESS=\"x\": unknown", ps.Error())
}

func TestSettingsHaveUniqueKeys(t *testing.T) {
	seen := map[Key]bool{}
	for _, s := range Settings {
		assert.False(t, seen[s.Key], "duplicate %s", s.Key)
		seen[s.Key] = true
		assert.NotEmpty(t, s.Usage, s.Key)
		assert.NotEmpty(t, s.Allowed, s.Key)
	}
}

func TestValidateTagLists(t *testing.T) {
	ps := New(TargetAll, lookupOf(map[string]string{"MIX_ENV": "dev", "GEAR_TAGS": " , ", "BASE_TAGS": "same,b", "ELIXIR_TAGS": "same"})).Validate()
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.Format(EnvNamer)
	}
	assert.Equal(t, []string{
		`ELIXIR_TAGS="same": also a tag in BASE_TAGS, so one image would take it from the other; give each image its own tags`,
		`GEAR_TAGS=",": no tag in the list; give at least one image reference, or unset it to use the default`,
	}, lines)
}

func TestValidateVersions(t *testing.T) {
	ps := New(TargetElixir, lookupOf(map[string]string{"ERLANG_VERSION": "latest;rm", "ELIXIR_VERSION": "1.14.0-otp-25"})).Validate()
	require.Len(t, ps, 1)
	assert.Equal(t, `ERLANG_VERSION="latest;rm": not a version: only letters, digits and . _ + - are allowed; use a version such as 25.2.3 or 1.14.0-otp-25, or unset it to read it from TOOL_VERSIONS`, ps[0].Format(EnvNamer))
	assert.Empty(t, New(TargetGear, lookupOf(map[string]string{"MIX_ENV": "dev", "ERLANG_VERSION": "x y"})).Validate(), "a gear build does not use the versions")
}
