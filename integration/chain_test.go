package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestChainBuildAll builds base, elixir and prod gear with
// `go run mage.go build:all`, then a dev gear on the prod one, and checks
// each image from the inside.
func TestChainBuildAll(t *testing.T) {
	eng := newEngine(t)
	repo := fixtureRepo(t)
	agentSock, keyComment := testAgent(t, true)
	greeting := uniqueName("greeting")
	port := hostListener(t, eng, greeting)

	// The password must appear nowhere in the images or the output.
	password := uniqueName("password")
	secretFile := filepath.Join(t.TempDir(), "gear_test_config.json")
	secret := fmt.Sprintf(`{"db": {"hostname": "localhost", "port": %d, "username": "postgres", "password": %q, "database": "gear_test", "ssl": false}}`, port, password)
	require.NoError(t, os.WriteFile(secretFile, []byte(secret), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(repo, ".tool-versions"), []byte("erlang 25.2.3\nelixir 1.14.0-otp-25\n"), 0o644))

	base, elixir, gear := uniqueName("base"), uniqueName("elixir"), uniqueName("gear")
	removeImages(t, eng, base, elixir, gear)

	res := runMage(t, repo, map[string]string{
		"BASE_TAGS":               base,
		"ELIXIR_TAGS":             elixir,
		"GEAR_TAGS":               gear,
		"MIX_ENV":                 "prod",
		"ANTIKYTHERA_COMPILE_ENV": "compile-env",
		"ANTIKYTHERA_RUNTIME_ENV": "runtime-env",
		"TEST_SECRET_FILE":        secretFile,
		"SSH_AUTH_SOCK":           agentSock,
	}, "build:all")
	require.Equal(t, 0, res.code, res.output)
	assert.NotContains(t, res.output, password)

	// The builds ran in chain order.
	baseAt := strings.Index(res.output, "==> base: building")
	elixirAt := strings.Index(res.output, "==> elixir: building")
	gearAt := strings.Index(res.output, "==> gear: building")
	require.True(t, baseAt >= 0 && elixirAt > baseAt && gearAt > elixirAt, res.output)
	assert.Contains(t, res.output, `db.hostname "localhost" is rewritten to "host.docker.internal"`)

	ctx := context.Background()
	baseImg, ok, err := eng.InspectImage(ctx, base)
	require.NoError(t, err)
	require.True(t, ok)
	elixirImg, ok, err := eng.InspectImage(ctx, elixir)
	require.NoError(t, err)
	require.True(t, ok)
	gearImg, ok, err := eng.InspectImage(ctx, gear)
	require.NoError(t, err)
	require.True(t, ok)

	t.Run("each image is FROM the one before", func(t *testing.T) {
		assert.Equal(t, baseImg.Layers, elixirImg.Layers[:len(baseImg.Layers)])
		assert.Greater(t, len(elixirImg.Layers), len(baseImg.Layers))
		assert.Equal(t, elixirImg.Layers, gearImg.Layers[:len(elixirImg.Layers)])
		assert.Greater(t, len(gearImg.Layers), len(elixirImg.Layers))
	})

	t.Run("versions are labels of the elixir image", func(t *testing.T) {
		assert.Equal(t, "25.2.3", elixirImg.Labels["org.antikythera.erlang-version"])
		assert.Equal(t, "1.14.0-otp-25", elixirImg.Labels["org.antikythera.elixir-version"])
	})

	saved := saveImage(t, eng, gear)

	t.Run("build args arrive", func(t *testing.T) {
		assert.Equal(t, "base_image="+base+"\nelixir_version=1.14.0-otp-25\nerlang_version=25.2.3\n", string(saved.files["/etc/layers/elixir"]))
		assert.Equal(t, "antikythera_compile_env=compile-env\nantikythera_runtime_env=runtime-env\nelixir_image="+elixir+"\nmix_env=prod\nprevious_image="+elixir+"\n", string(saved.files["/gear/_build/prod/args"]))
		assert.Equal(t, "base", string(saved.files["/etc/layers/base"]))
		assert.Equal(t, "EPUB_Converter stand-in\n", string(saved.files["/opt/EPUB_Converter/README"]))
	})

	t.Run("prod stage is selected", func(t *testing.T) {
		assert.True(t, saved.has("/gear/_build/prod/args"), "/gear/_build/prod/args is missing")
		assert.False(t, saved.has("/gear/_build/dev/args"), "/gear/_build/dev/args is present")
	})

	t.Run("secret reaches mix test with the rewritten host", func(t *testing.T) {
		assert.Equal(t, "hostname=host.docker.internal\nreply="+greeting+"\n", string(saved.files["/gear/_build/test/secret-check"]))
	})

	t.Run("SSH agent is forwarded", func(t *testing.T) {
		assert.Equal(t, keyComment+"\n", string(saved.files["/gear/deps/agent-keys"]))
	})

	t.Run("secret is absent from the image", func(t *testing.T) {
		for name, data := range saved.raw {
			assert.False(t, strings.Contains(string(data), password), "secret found in %s of the saved image", name)
		}
		history, err := eng.ImageHistory(ctx, gear)
		require.NoError(t, err)
		for _, line := range history {
			assert.NotContains(t, line, password)
		}
		config, err := json.Marshal(gearImg)
		require.NoError(t, err)
		assert.NotContains(t, string(config), password)
	})

	t.Run("dev reuses _build and deps of PREVIOUS_IMAGE", func(t *testing.T) {
		dev := uniqueName("gear-dev")
		removeImages(t, eng, dev)
		res := runCompiled(t, repo, map[string]string{
			"ELIXIR_IMAGE":   elixir,
			"PREVIOUS_IMAGE": gear,
			"GEAR_TAGS":      dev,
			"MIX_ENV":        "dev",
			"SSH_AUTH_SOCK":  agentSock,
		}, "build:gear")
		require.Equal(t, 0, res.code, res.output)
		assert.Contains(t, res.output, "reusing _build and deps from "+gear)

		devSaved := saveImage(t, eng, dev)
		assert.True(t, devSaved.has("/gear/_build/dev/args"), "/gear/_build/dev/args is missing")
		// Copied from the prod image, which the dev build never runs.
		assert.Equal(t, saved.files["/gear/_build/prod/args"], devSaved.files["/gear/_build/prod/args"])
		assert.Equal(t, saved.files["/gear/_build/test/secret-check"], devSaved.files["/gear/_build/test/secret-check"])
		assert.Equal(t, "elixir_image="+elixir+"\nmix_env=dev\nprevious_image="+gear+"\n", string(devSaved.files["/gear/_build/dev/args"]))
	})
}

// TestSecretFileInContextStaysOut puts gear_test_config.json in the gear
// context with no .dockerignore entry for it, and expects it neither in
// the image nor in its layers.
func TestSecretFileInContextStaysOut(t *testing.T) {
	eng := newEngine(t)
	repo := fixtureRepo(t)
	agentSock, _ := testAgent(t, true)
	require.NoError(t, os.WriteFile(filepath.Join(repo, ".dockerignore"), []byte(".git\n"), 0o644))
	password := uniqueName("password")
	require.NoError(t, os.WriteFile(filepath.Join(repo, "gear_test_config.json"), []byte(`{"db": {"hostname": "db.invalid", "password": "`+password+`"}}`), 0o600))

	base, elixir, gear := uniqueName("base"), uniqueName("elixir"), uniqueName("gear")
	removeImages(t, eng, base, elixir, gear)
	res := runCompiled(t, repo, map[string]string{
		"BASE_TAGS": base, "ELIXIR_TAGS": elixir, "GEAR_TAGS": gear,
		"ERLANG_VERSION": "25", "ELIXIR_VERSION": "1.14",
		"MIX_ENV": "prod", "ANTIKYTHERA_COMPILE_ENV": "dev", "ANTIKYTHERA_RUNTIME_ENV": "dev",
		"TEST_SECRET_FILE": "./gear_test_config.json",
		"SSH_AUTH_SOCK":    agentSock,
	}, "build:all")
	require.Equal(t, 0, res.code, res.output)
	assert.Contains(t, res.output, "gear: TEST_SECRET_FILE is inside the build context and is left out of it")

	saved := saveImage(t, eng, gear)
	assert.False(t, saved.has("/gear/gear_test_config.json"), "gear_test_config.json was copied into the image")
	assert.True(t, saved.has("/gear/mix.exs"), "the rest of the context was not copied")
	for name, data := range saved.raw {
		assert.False(t, strings.Contains(string(data), password), "secret found in %s of the saved image", name)
	}
}
