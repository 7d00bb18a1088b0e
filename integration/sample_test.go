package integration

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSampleGearEndToEnd builds the sample gear with the production gear
// Dockerfile on the offline elixir image: prod, whose mix test reaches the
// PostgreSQL server on this host through host.docker.internal, then dev on
// the prod image, then runs it with run:local.
//
// It needs debootstrap, root, and PostgreSQL listening on the engine
// bridge's gateway, port 5432, as scripts/start-postgres.sh sets it up.
func TestSampleGearEndToEnd(t *testing.T) {
	eng := newEngine(t)
	gateway, err := eng.BridgeGateway(context.Background())
	require.NoError(t, err)
	conn, err := net.DialTimeout("tcp", net.JoinHostPort(gateway, "5432"), 5*time.Second)
	require.NoError(t, err, "no PostgreSQL on %s:5432, where mix test looks for it; start it with scripts/start-postgres.sh", gateway)
	conn.Close()

	elixir, prod, dev := uniqueName("offline-elixir"), uniqueName("sample-prod"), uniqueName("sample-dev")
	removeImages(t, eng, elixir, prod, dev)
	agentSock, _ := testAgent(t, true)

	start := time.Now()
	res := runMage(t, repoRoot, map[string]string{"ELIXIR_TAGS": elixir}, "build:offlineElixir")
	require.Equal(t, 0, res.code, res.output)
	t.Logf("build:offlineElixir took %s", time.Since(start))
	elixirImg, ok, err := eng.InspectImage(context.Background(), elixir)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, "batch", elixirImg.User)
	assert.NotEmpty(t, elixirImg.Labels["org.antikythera.erlang-version"])
	assert.NotEmpty(t, elixirImg.Labels["org.antikythera.elixir-version"])

	password := uniqueName("password")
	secret := filepath.Join(t.TempDir(), "gear_test_config.json")
	require.NoError(t, os.WriteFile(secret, []byte(fmt.Sprintf(`{"db": {"hostname": "localhost", "username": "postgres", "password": %q, "database": "sample_gear_test", "ssl": false}}`, password)), 0o600))

	common := map[string]string{
		"ELIXIR_IMAGE":  elixir,
		"GEAR_CONTEXT":  "examples/sample_gear",
		"SSH_AUTH_SOCK": agentSock,
	}
	with := func(extra map[string]string) map[string]string {
		env := map[string]string{}
		for k, v := range common {
			env[k] = v
		}
		for k, v := range extra {
			env[k] = v
		}
		return env
	}

	res = runCompiled(t, repoRoot, with(map[string]string{
		"GEAR_TAGS":               prod,
		"MIX_ENV":                 "prod",
		"ANTIKYTHERA_COMPILE_ENV": "dev",
		"ANTIKYTHERA_RUNTIME_ENV": "dev",
		"TEST_SECRET_FILE":        secret,
	}), "build:gear")
	require.Equal(t, 0, res.code, res.output)
	assert.Contains(t, res.output, "mix test")
	assert.Regexp(t, `\d+ tests, 0 failures`, res.output)
	assert.Contains(t, res.output, `db.hostname "localhost" is rewritten to "host.docker.internal"`)
	assert.NotContains(t, res.output, password)

	saved := saveImage(t, eng, prod)
	for name, data := range saved.raw {
		assert.False(t, strings.Contains(string(data), password), "secret found in %s of the saved image", name)
	}
	assert.True(t, saved.has("/home/batch/gear/_build/prod/lib/sample_gear/ebin/sample_gear.app"), "/home/batch/gear/_build/prod/lib/sample_gear/ebin/sample_gear.app is missing")

	res = runCompiled(t, repoRoot, with(map[string]string{
		"GEAR_TAGS":      dev,
		"MIX_ENV":        "dev",
		"PREVIOUS_IMAGE": prod,
	}), "build:gear")
	require.Equal(t, 0, res.code, res.output)
	assert.Contains(t, res.output, "reusing _build and deps from "+prod)
	devSaved := saveImage(t, eng, dev)
	assert.True(t, devSaved.has("/home/batch/gear/_build/prod/lib/sample_gear/ebin/sample_gear.app"), "/home/batch/gear/_build/prod/lib/sample_gear/ebin/sample_gear.app is missing: the prod build output was not copied from PREVIOUS_IMAGE")
	assert.True(t, devSaved.has("/home/batch/gear/_build/dev/lib/sample_gear/ebin/sample_gear.app"), "/home/batch/gear/_build/dev/lib/sample_gear/ebin/sample_gear.app is missing")

	res = runCompiled(t, repoRoot, map[string]string{
		"RUN_IMAGE":          prod,
		"GEAR_DOCKER_CONFIG": "examples/sample_gear/gear_docker_config.example.json",
		"RUN_COMMAND":        `./script/docker/run_sample.sh arg1 "two words"`,
	}, "run:local")
	require.Equal(t, 0, res.code, res.output)
	assert.Regexp(t, `\[info\] context=\S+ Application successfully started with \["arg1", "two words"\]`, res.output)
	assert.NotContains(t, res.output, "example-only", "the config's password was printed")

	res = runCompiled(t, repoRoot, map[string]string{
		"RUN_IMAGE":          dev,
		"GEAR_DOCKER_CONFIG": "examples/sample_gear/gear_docker_config.example.json",
		"RUN_COMMAND":        "./script/docker/run_sample.sh --exit 3",
	}, "run:local")
	assert.Equal(t, 3, res.code, res.output)
}

// TestRunLocalRejectsBadConfig checks run:local's input checks: nothing is
// started and the config's content is never printed.
func TestRunLocalRejectsBadConfig(t *testing.T) {
	newEngine(t)
	dir := t.TempDir()
	noDB := filepath.Join(dir, "nodb.json")
	require.NoError(t, os.WriteFile(noDB, []byte(`{"api_token_key": "hunter2-token"}`), 0o600))

	res := runCompiled(t, dir, map[string]string{
		"RUN_IMAGE":          "gearimage-test-absent-gear",
		"GEAR_DOCKER_CONFIG": noDB,
		"RUN_COMMAND":        `./run.sh "unterminated`,
	}, "run:local")
	assert.Equal(t, 2, res.code, res.output)
	assert.Contains(t, res.output, "3 problems found; nothing was started")
	assert.Contains(t, res.output, `GEAR_DOCKER_CONFIG="`+noDB+`"`)
	assert.Contains(t, res.output, `RUN_COMMAND="./run.sh \"unterminated"`)
	assert.Contains(t, res.output, `RUN_IMAGE="gearimage-test-absent-gear": image not found`)
	assert.NotContains(t, res.output, "hunter2")
}
