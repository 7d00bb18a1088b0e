package preflight

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/antikythera-gear/gearimage/internal/engine"
	"github.com/antikythera-gear/gearimage/internal/plan"
	"github.com/antikythera-gear/gearimage/internal/request"
)

// fakeEngine contains a fixed set of images. The engine itself is tested
// in the integration tests.
type fakeEngine struct {
	pingErr   error
	images    map[string]bool
	inspected []string
}

func (f *fakeEngine) Ping(context.Context) error { return f.pingErr }

func (f *fakeEngine) InspectImage(_ context.Context, ref string) (engine.Image, bool, error) {
	f.inspected = append(f.inspected, ref)
	return engine.Image{ID: "sha256:1"}, f.images[ref], nil
}

func planFor(t *testing.T, target request.Target, env map[string]string) plan.Plan {
	t.Helper()
	return plan.New(request.New(target, request.EnvLookup(func(k string) string { return env[k] })))
}

// chdir runs the test in dir, as the targets run in the repository root.
func chdir(t *testing.T, dir string) {
	t.Helper()
	old, err := os.Getwd()
	require.NoError(t, err)
	require.NoError(t, os.Chdir(dir))
	t.Cleanup(func() { _ = os.Chdir(old) })
}

func formatted(ps request.Problems) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Format(request.EnvNamer)
	}
	return out
}

func TestCheckReportsEveryMissingInput(t *testing.T) {
	chdir(t, t.TempDir())
	eng := &fakeEngine{images: map[string]bool{}}
	p := planFor(t, request.TargetGear, map[string]string{"MIX_ENV": "prod", "TEST_SECRET_FILE": "absent.json", "PREVIOUS_IMAGE": "old-gear"})

	_, ps := Check(context.Background(), p, eng)

	lines := formatted(ps)
	require.Len(t, lines, 6, "%q", lines)
	assert.Contains(t, lines[0], `GEAR_CONTEXT=".": no mix.exs in the gear build context`)
	assert.Contains(t, lines[1], `GEAR_DOCKERFILE="Dockerfile": Dockerfile not found`)
	assert.Contains(t, lines[2], `TEST_SECRET_FILE="absent.json"`)
	assert.Contains(t, lines[3], "SSH_AUTH_SOCK")
	assert.Contains(t, lines[4], `ELIXIR_IMAGE="raise-elixir-local": image not found in the engine; build it first with mage build:elixir`)
	assert.Contains(t, lines[5], `PREVIOUS_IMAGE="old-gear": image not found in the engine`)
}

func TestCheckSkipsImagesBuiltInTheRun(t *testing.T) {
	dir := t.TempDir()
	chdir(t, dir)
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".tool-versions"), []byte("erlang 25.2.3\nelixir 1.14.0\n"), 0o644))
	eng := &fakeEngine{images: map[string]bool{}}
	p := planFor(t, request.TargetAll, map[string]string{"MIX_ENV": "dev", "SUBMODULE": "none"})

	res, _ := Check(context.Background(), p, eng)

	assert.Empty(t, eng.inspected, "images built earlier in the run were looked up")
	assert.Equal(t, "25.2.3", res.Erlang)
	assert.Equal(t, "1.14.0", res.Elixir)
	assert.Equal(t, ".tool-versions", res.VersionsFrom)
}

func TestCheckVersionsFromSettings(t *testing.T) {
	chdir(t, t.TempDir())
	p := planFor(t, request.TargetElixir, map[string]string{"ERLANG_VERSION": "26.2", "ELIXIR_VERSION": "1.16.0"})

	res, ps := Check(context.Background(), p, &fakeEngine{images: map[string]bool{"raise-base-local": true}})

	assert.Equal(t, "26.2", res.Erlang)
	assert.Equal(t, "1.16.0", res.Elixir)
	assert.Equal(t, "settings", res.VersionsFrom)
	for _, line := range formatted(ps) {
		assert.NotContains(t, line, "TOOL_VERSIONS")
	}
}

func TestCheckUnreachableEngine(t *testing.T) {
	chdir(t, t.TempDir())
	eng := &fakeEngine{pingErr: errors.New("cannot reach the Docker Engine at unix:///nothing.sock")}
	p := planFor(t, request.TargetElixir, map[string]string{"ERLANG_VERSION": "26", "ELIXIR_VERSION": "1.16"})

	_, ps := Check(context.Background(), p, eng)

	lines := formatted(ps)
	assert.Contains(t, lines, "DOCKER_HOST: cannot reach the Docker Engine at unix:///nothing.sock")
	assert.Empty(t, eng.inspected, "images were looked up on an unreachable engine")
}

func TestCheckSkipsInvalidReferences(t *testing.T) {
	chdir(t, t.TempDir())
	eng := &fakeEngine{images: map[string]bool{}}
	p := planFor(t, request.TargetElixir, map[string]string{"BASE_IMAGE": "Not Valid", "ERLANG_VERSION": "26", "ELIXIR_VERSION": "1.16"})

	Check(context.Background(), p, eng)

	assert.Empty(t, eng.inspected, "validation reports an invalid reference; the engine is not asked")
}
