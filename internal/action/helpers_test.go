package action

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh/agent"

	"github.com/antikythera-gear/gearimage/internal/engine"
	"github.com/antikythera-gear/gearimage/internal/pipeline"
	"github.com/antikythera-gear/gearimage/internal/request"
	"github.com/antikythera-gear/gearimage/internal/sshagent"
)

// fakeEngine is a fake Docker Engine for tests of the input mapping and
// the GitHub output, which need no real build. It records every build and
// fails the build whose first tag is failTag.
type fakeEngine struct {
	mu      sync.Mutex
	images  map[string]engine.Image
	builds  []engine.BuildOptions
	failTag string
}

func newFakeEngine(present ...string) *fakeEngine {
	f := &fakeEngine{images: map[string]engine.Image{}}
	for _, ref := range present {
		f.images[ref] = engine.Image{ID: fakeImageID(ref), Tags: []string{ref}, Size: 1000}
	}
	return f
}

// fakeImageID derives a stable image ID from a tag.
func fakeImageID(tag string) string {
	sum := sha256.Sum256([]byte(tag))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// fakeImageSize is the size the fake engine reports for a built image:
// 1.5 MB per tag, so sizes differ between images.
func fakeImageSize(tags []string) int64 { return int64(len(tags)) * 1_500_000 }

func (f *fakeEngine) Ping(context.Context) error { return nil }

func (f *fakeEngine) InspectImage(_ context.Context, ref string) (engine.Image, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	img, ok := f.images[ref]
	return img, ok, nil
}

func (f *fakeEngine) Build(_ context.Context, opts engine.BuildOptions) (engine.BuildResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.builds = append(f.builds, opts)
	if opts.Tags[0] == f.failTag {
		return engine.BuildResult{}, errors.New("process \"/bin/sh -c mix test\" did not complete successfully: exit code: 2")
	}
	img := engine.Image{ID: fakeImageID(opts.Tags[0]), Tags: opts.Tags, Size: fakeImageSize(opts.Tags)}
	f.images[img.ID] = img
	for _, tag := range opts.Tags {
		f.images[tag] = img
	}
	return engine.BuildResult{ImageID: img.ID}, nil
}

func (f *fakeEngine) HostGatewayEntry(context.Context) (string, error) {
	return "host.docker.internal:172.17.0.1", nil
}

func (f *fakeEngine) connect() (pipeline.Engine, func(), error) {
	return f, func() {}, nil
}

// actionRun is one finished run of the Action.
type actionRun struct {
	status  int
	stdout  string
	outputs map[string]string
	summary string
}

// runAction runs the Action with inputs (by input name) and env (other
// variables) in the current directory, with temporary files for
// GITHUB_OUTPUT and GITHUB_STEP_SUMMARY.
func runAction(t *testing.T, connect Connect, inputs, env map[string]string) actionRun {
	t.Helper()
	dir := t.TempDir()
	outputFile := filepath.Join(dir, "output")
	summaryFile := filepath.Join(dir, "summary.md")
	require.NoError(t, os.WriteFile(outputFile, nil, 0o644))
	require.NoError(t, os.WriteFile(summaryFile, nil, 0o644))

	vars := map[string]string{
		"GITHUB_OUTPUT":       outputFile,
		"GITHUB_STEP_SUMMARY": summaryFile,
	}
	for name, value := range inputs {
		vars["INPUT_"+strings.ToUpper(name)] = value
	}
	for name, value := range env {
		vars[name] = value
	}

	var stdout bytes.Buffer
	status := Run(context.Background(), Env{Getenv: func(name string) string { return vars[name] }, Stdout: &stdout}, connect)

	output, err := os.ReadFile(outputFile)
	require.NoError(t, err)
	summary, err := os.ReadFile(summaryFile)
	require.NoError(t, err)
	return actionRun{status: status, stdout: stdout.String(), outputs: parseOutputFile(t, string(output)), summary: string(summary)}
}

// parseOutputFile reads the name<<delimiter blocks that SetOutput appends
// to GITHUB_OUTPUT.
func parseOutputFile(t *testing.T, content string) map[string]string {
	t.Helper()
	outputs := map[string]string{}
	scanner := bufio.NewScanner(strings.NewReader(content))
	scanner.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for scanner.Scan() {
		name, delimiter, ok := strings.Cut(scanner.Text(), "<<")
		require.True(t, ok, "line %q of GITHUB_OUTPUT is not name<<delimiter", scanner.Text())
		var lines []string
		closed := false
		for scanner.Scan() {
			if scanner.Text() == delimiter {
				closed = true
				break
			}
			lines = append(lines, scanner.Text())
		}
		require.True(t, closed, "output %s has no closing delimiter", name)
		require.NotContains(t, outputs, name, "output %s is set twice", name)
		outputs[name] = strings.Join(lines, "\n")
	}
	require.NoError(t, scanner.Err())
	return outputs
}

// sshAgent serves an SSH agent with one key on a unix socket until the
// test ends and returns the socket path.
func sshAgent(t *testing.T) string {
	t.Helper()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	server, err := sshagent.Serve(agent.AddedKey{PrivateKey: key, Comment: "action test key"})
	require.NoError(t, err)
	t.Cleanup(func() { server.Close() })
	return server.Socket
}

// gearWorkspace makes a temporary directory laid out like a gear
// repository the current directory for the rest of the test: the three
// Dockerfiles, mix.exs and a .tool-versions file.
func gearWorkspace(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"docker/base/Dockerfile":   "FROM scratch\n",
		"docker/elixir/Dockerfile": "ARG base_image\nFROM ${base_image}\n",
		"Dockerfile":               "ARG elixir_image\nFROM ${elixir_image}\n",
		"mix.exs":                  "defmodule Fixture.MixProject do\nend\n",
		".tool-versions":           "erlang 25.2.3\nelixir 1.14.0-otp-25\n",
	}
	for name, content := range files {
		path := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	}
	t.Chdir(dir)
	return dir
}

// validProdInputs returns inputs with which target all in prod passes every
// check of the fake workspace.
func validProdInputs(secret string) map[string]string {
	return map[string]string{
		string(request.KeyTarget):                "all",
		string(request.KeyMixEnv):                "prod",
		string(request.KeyAntikytheraCompileEnv): "compile-env",
		string(request.KeyAntikytheraRuntimeEnv): "runtime-env",
		string(request.KeyTestSecret):            secret,
		string(request.KeyBaseTags):              "base:1",
		string(request.KeyElixirTags):            "elixir:1",
		string(request.KeyGearTags):              "gear:1, gear:latest",
		string(request.KeySubmodule):             "none",
	}
}

// testSecret returns a test config document with a password that no other
// text of a run contains.
func testSecret(password string) string {
	return `{
  "db": {
    "hostname": "localhost",
    "username": "gear_user",
    "password": "` + password + `",
    "database": "gear_test",
    "ssl": false
  }
}
`
}
