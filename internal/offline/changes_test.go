package offline

import (
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/antikythera-gear/gearimage/internal/dockerfiles"
)

// parseChanges parses the changes as the Dockerfile instructions that the
// engine reads them as.
func parseChanges(t *testing.T, changes []string) []any {
	t.Helper()
	var parsed []any
	for _, change := range changes {
		result, err := parser.Parse(strings.NewReader(change + "\n"))
		require.NoError(t, err, change)
		require.Len(t, result.AST.Children, 1, change)
		instruction, err := instructions.ParseInstruction(result.AST.Children[0])
		require.NoError(t, err, change)
		parsed = append(parsed, instruction)
	}
	return parsed
}

func TestChangesSetElixirImageContract(t *testing.T) {
	env := map[string]string{}
	labels := map[string]string{}
	var user, workdir string
	for _, instruction := range parseChanges(t, Changes("25.2.3", "1.14.0")) {
		switch c := instruction.(type) {
		case *instructions.EnvCommand:
			for _, kv := range c.Env {
				env[kv.Key] = kv.Value
			}
		case *instructions.LabelCommand:
			for _, kv := range c.Labels {
				labels[kv.Key] = kv.Value
			}
		case *instructions.UserCommand:
			user = c.User
		case *instructions.WorkdirCommand:
			workdir = c.Path
		default:
			t.Errorf("unexpected change %T", c)
		}
	}

	assert.Contains(t, strings.Split(env["PATH"], ":"), "/usr/bin", "mix, elixir and erl are in /usr/bin")
	assert.Equal(t, "/home/batch", env["HOME"])
	assert.Equal(t, "en_US.UTF-8", env["LANG"])
	assert.Equal(t, "batch", user)
	assert.Equal(t, "/home/batch", workdir)
	assert.Equal(t, map[string]string{
		dockerfiles.ErlangVersionLabel: `"25.2.3"`,
		dockerfiles.ElixirVersionLabel: `"1.14.0"`,
	}, labels)
}

func TestChangesQuoteLabelValues(t *testing.T) {
	changes := Changes(`25 "x"`, `1.14$HOME\`)
	label := changes[len(changes)-1]
	assert.Equal(t, `LABEL org.antikythera.erlang-version="25 \"x\"" org.antikythera.elixir-version="1.14\$HOME\\"`, label)
	assert.Len(t, parseChanges(t, []string{label}), 1)
}
