package integration

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/antikythera-gear/gearimage/internal/engine"
)

// runFixture builds the fixture base image, which has the probe, for the
// run:local tests, and returns the fixture repository and the image tag.
func runFixture(t *testing.T, eng *engine.Client) (repo, image string) {
	t.Helper()
	repo = fixtureRepo(t)
	image = uniqueName("run")
	removeImages(t, eng, image)
	res := runCompiled(t, repo, map[string]string{"BASE_TAGS": image}, "build:base")
	require.Equal(t, 0, res.code, res.output)
	return repo, image
}

// TestRunLocalForwardsInterrupt starts a container with run:local, sends
// SIGINT to the target as Ctrl-C does without a terminal, and expects the
// container to get it, its exit status to come back, and the container to
// be removed.
func TestRunLocalForwardsInterrupt(t *testing.T) {
	eng := newEngine(t)
	repo, image := runFixture(t, eng)

	config := filepath.Join(t.TempDir(), "gear_docker_config.json")
	require.NoError(t, os.WriteFile(config, []byte("{\n  \"db\": {\"hostname\": \"localhost\", \"password\": \"hunter2-run\"}\n}\n"), 0o600))

	cmd, out := startCompiled(t, repo, []string{"RUN_IMAGE=" + image, "GEAR_DOCKER_CONFIG=" + config, "RUN_COMMAND=/bin/probe wait-signal"}, "run:local")
	waitForOutput(t, out, "waiting for SIGINT", 30*time.Second)
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))

	err := cmd.Wait()
	var exitErr *exec.ExitError
	require.ErrorAs(t, err, &exitErr, out.String())
	assert.Equal(t, 130, exitErr.ExitCode(), out.String())
	assert.Contains(t, out.String(), "got SIGINT")
	assert.NotContains(t, out.String(), "hunter2")

	containers, err := eng.ContainersOf(context.Background(), image)
	require.NoError(t, err)
	assert.Empty(t, containers, "run:local left its container behind")
}

// TestRunLocalPassesCompactConfig checks that the config arrives on one
// line with a loopback host rewritten, and that the command is split like
// a shell splits it.
func TestRunLocalPassesCompactConfig(t *testing.T) {
	eng := newEngine(t)
	repo, image := runFixture(t, eng)

	config := filepath.Join(t.TempDir(), "gear_docker_config.json")
	require.NoError(t, os.WriteFile(config, []byte("{\n  \"db\": {\"hostname\": \"127.0.0.1\", \"database\": \"gear_dev\"}\n}\n"), 0o600))
	env := map[string]string{"RUN_IMAGE": image, "GEAR_DOCKER_CONFIG": config}

	// The container prints the variable here because the test's command
	// does. run:local itself never prints the config.
	env["RUN_COMMAND"] = "/bin/probe printenv RAISE_SERVER_CONFIG_JSON"
	res := runCompiled(t, repo, env, "run:local")
	require.Equal(t, 0, res.code, res.output)
	assert.Contains(t, res.output, "\n"+`{"db":{"hostname":"host.docker.internal","database":"gear_dev"}}`+"\n")

	env["RUN_COMMAND"] = `/bin/probe args one "two words" 'three $HOME'`
	res = runCompiled(t, repo, env, "run:local")
	require.Equal(t, 0, res.code, res.output)
	assert.Contains(t, res.output, `["one" "two words" "three $HOME"]`)
}

// TestRunLocalAttachesTerminal runs run:local on a pseudo-terminal, as a
// user at a shell does: the container gets a terminal too, and Ctrl-C typed
// there reaches it.
func TestRunLocalAttachesTerminal(t *testing.T) {
	eng := newEngine(t)
	repo, image := runFixture(t, eng)

	config := filepath.Join(t.TempDir(), "gear_docker_config.json")
	require.NoError(t, os.WriteFile(config, []byte(`{"db": {"hostname": "localhost"}}`), 0o600))

	cmd := exec.Command(mageBinary(t), "run:local")
	cmd.Dir = repo
	cmd.Env = append(baseEnv(), "RUN_IMAGE="+image, "GEAR_DOCKER_CONFIG="+config, "RUN_COMMAND=/bin/probe tty")
	terminal, err := pty.Start(cmd)
	require.NoError(t, err)
	defer terminal.Close()

	out := newSyncBuffer()
	go func() { _, _ = io.Copy(out, terminal) }()

	waitForOutput(t, out, "waiting for SIGINT", 30*time.Second)
	assert.Contains(t, out.String(), "stdin is a terminal: true")

	// Ctrl-C as the terminal sends it: the byte ETX, which the container's
	// terminal turns into SIGINT.
	_, err = terminal.Write([]byte{3})
	require.NoError(t, err)

	err = cmd.Wait()
	var exitErr *exec.ExitError
	require.ErrorAs(t, err, &exitErr, out.String())
	assert.Equal(t, 130, exitErr.ExitCode(), out.String())
	assert.Contains(t, out.String(), "got SIGINT")

	containers, err := eng.ContainersOf(context.Background(), image)
	require.NoError(t, err)
	assert.Empty(t, containers, "run:local left its container behind")
}
