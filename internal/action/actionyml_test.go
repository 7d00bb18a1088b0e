package action

import (
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/antikythera-gear/gearimage/internal/request"
)

// actionMetadata is the part of action.yml these tests read.
type actionMetadata struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	Branding    struct {
		Icon  string `yaml:"icon"`
		Color string `yaml:"color"`
	} `yaml:"branding"`
	Inputs map[string]struct {
		Description string  `yaml:"description"`
		Required    *bool   `yaml:"required"`
		Default     *string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Description string `yaml:"description"`
		Value       string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string `yaml:"using"`
		Steps []struct {
			ID    string            `yaml:"id"`
			Shell string            `yaml:"shell"`
			Env   map[string]string `yaml:"env"`
			Run   string            `yaml:"run"`
		} `yaml:"steps"`
	} `yaml:"runs"`
}

// repositoryRoot is where action.yml is.
func repositoryRoot(t *testing.T) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	require.True(t, ok)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

func readActionMetadata(t *testing.T) actionMetadata {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repositoryRoot(t), "action.yml"))
	require.NoError(t, err)
	var meta actionMetadata
	require.NoError(t, yaml.Unmarshal(data, &meta))
	return meta
}

// expectedInputs returns the inputs the Action must declare: every setting
// except the SSH agent socket, which comes from SSH_AUTH_SOCK, plus target
// and test_secret, which the Mage targets take in other ways.
func expectedInputs() []string {
	names := []string{string(request.KeyTarget), string(request.KeyTestSecret)}
	for _, s := range request.Settings {
		if s.Key != request.KeySSHAuthSock && !slices.Contains(names, string(s.Key)) {
			names = append(names, string(s.Key))
		}
	}
	slices.Sort(names)
	return names
}

func TestActionYAMLDeclaresEverySetting(t *testing.T) {
	meta := readActionMetadata(t)
	var declared []string
	for name := range meta.Inputs {
		declared = append(declared, name)
	}
	slices.Sort(declared)
	assert.Equal(t, expectedInputs(), declared)
}

func TestActionYAMLDescribesInputs(t *testing.T) {
	meta := readActionMetadata(t)
	assert.NotEmpty(t, meta.Name)
	assert.NotEmpty(t, meta.Description)
	assert.NotEmpty(t, meta.Branding.Icon)
	assert.NotEmpty(t, meta.Branding.Color)
	for name, input := range meta.Inputs {
		assert.NotEmpty(t, input.Description, "input %s", name)
		// Which inputs a run needs depends on the target and mix_env,
		// so none is required in every run.
		if assert.NotNil(t, input.Required, "input %s does not say whether it is required", name) {
			assert.False(t, *input.Required, "input %s", name)
		}
	}
}

// actionDefaults are the defaults of the Action that differ from
// request.Settings on purpose.
var actionDefaults = map[request.Key]string{
	request.KeyTarget:   string(DefaultTarget),
	request.KeyProgress: DefaultProgress,
}

// TestActionYAMLDefaultsMatchSettings checks that action.yml declares the
// defaults of request.Settings that are literal values, and no others,
// except for actionDefaults. A default is literal when setting it
// explicitly gives the same request as leaving it unset; "the first of
// base_tags" is a description.
func TestActionYAMLDefaultsMatchSettings(t *testing.T) {
	meta := readActionMetadata(t)

	for key, value := range actionDefaults {
		input := meta.Inputs[string(key)]
		if assert.NotNil(t, input.Default, "input %s has no default", key) {
			assert.Equal(t, value, *input.Default, "default of input %s", key)
		}
	}

	for _, s := range request.Settings {
		input, declared := meta.Inputs[string(s.Key)]
		if _, overridden := actionDefaults[s.Key]; !declared || overridden {
			continue
		}
		literal := s.Default != "" && defaultIsLiteral(s.Key, s.Default)
		switch {
		case literal:
			if assert.NotNil(t, input.Default, "input %s has no default; request.Settings has %q", s.Key, s.Default) {
				assert.Equal(t, s.Default, *input.Default, "default of input %s", s.Key)
			}
		default:
			assert.Nil(t, input.Default, "input %s has a default, but request.Settings describes it as %q", s.Key, s.Default)
		}
	}

	assert.Nil(t, meta.Inputs[string(request.KeyTestSecret)].Default)
}

// defaultIsLiteral reports whether giving value for k leaves the request
// of every target as it is without it.
func defaultIsLiteral(k request.Key, value string) bool {
	unset := func(request.Key) (string, bool) { return "", false }
	set := func(key request.Key) (string, bool) {
		if key == k {
			return value, true
		}
		return "", false
	}
	for _, target := range request.Targets {
		if !cmp.Equal(request.New(target, unset), request.New(target, set), cmpopts.IgnoreUnexported(request.Request{})) {
			return false
		}
	}
	return true
}

// TestActionYAMLPassesEveryInput checks that the step maps each input to
// the INPUT_ variable that go-githubactions reads, and nothing else.
func TestActionYAMLPassesEveryInput(t *testing.T) {
	meta := readActionMetadata(t)
	assert.Equal(t, "composite", meta.Runs.Using)
	require.Len(t, meta.Runs.Steps, 1)
	step := meta.Runs.Steps[0]

	want := map[string]string{}
	for name := range meta.Inputs {
		want[inputEnvName(request.Key(name))] = "${{ inputs." + name + " }}"
	}
	got := map[string]string{}
	for name, value := range step.Env {
		if strings.HasPrefix(name, "INPUT_") {
			got[name] = value
		}
	}
	assert.Equal(t, want, got)
}

func TestActionYAMLRunsTheProgram(t *testing.T) {
	meta := readActionMetadata(t)
	require.Len(t, meta.Runs.Steps, 1)
	step := meta.Runs.Steps[0]
	assert.Equal(t, "bash", step.Shell)
	assert.Contains(t, step.Run, "./cmd/gearimage-action")
	assert.DirExists(t, filepath.Join(repositoryRoot(t), "cmd", "gearimage-action"))
}

// TestActionYAMLExposesEveryOutput checks that action.yml lists the outputs
// the program sets, each taken from the step.
func TestActionYAMLExposesEveryOutput(t *testing.T) {
	meta := readActionMetadata(t)
	require.Len(t, meta.Runs.Steps, 1)
	stepID := meta.Runs.Steps[0].ID
	require.NotEmpty(t, stepID)

	want := []string{outputMetadata}
	for _, image := range []request.Target{request.TargetBase, request.TargetElixir, request.TargetGear} {
		want = append(want, string(image)+outputImageIDSuffix, string(image)+outputTagsSuffix)
	}
	slices.Sort(want)

	var got []string
	for name, output := range meta.Outputs {
		got = append(got, name)
		assert.Equal(t, "${{ steps."+stepID+".outputs."+name+" }}", output.Value, "output %s", name)
		assert.NotEmpty(t, output.Description, "output %s", name)
	}
	slices.Sort(got)
	assert.Equal(t, want, got)
}
