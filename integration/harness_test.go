package integration

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh/agent"

	"github.com/antikythera-gear/gearimage/internal/engine"
	"github.com/antikythera-gear/gearimage/internal/sshagent"
)

// repoRoot is the root of this repository, where mage.go and magefiles are.
var repoRoot = func() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(filepath.Dir(file))
}()

// binDir holds the binaries the tests compile once per run: the probe, the
// Mage targets and act. TestMain removes it.
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "gearimage-test-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "create the directory for test binaries:", err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(binDir)
	os.Exit(code)
}

// compiledBinary is a binary the tests compile at most once per run.
type compiledBinary struct {
	once sync.Once
	path string
	err  error
}

// get runs build on first use, which must write the binary to path, and
// returns path.
func (b *compiledBinary) get(t *testing.T, what, path string, build *exec.Cmd) string {
	t.Helper()
	b.once.Do(func() {
		start := time.Now()
		out, err := build.CombinedOutput()
		if err != nil {
			b.err = &buildError{what: what, out: string(out), err: err}
			return
		}
		b.path = path
		t.Logf("compiled %s in %s", what, time.Since(start).Round(time.Millisecond))
	})
	require.NoError(t, b.err)
	return b.path
}

var probe, mage compiledBinary

// probeBinary compiles the static probe that the fixture images run.
func probeBinary(t *testing.T) string {
	t.Helper()
	path := filepath.Join(binDir, "probe")
	cmd := exec.Command("go", "build", "-o", path, "./internal/testfixture/probe")
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	return probe.get(t, "the probe", path, cmd)
}

// mageBinary compiles the Mage targets once into a binary, as
// `go run mage.go -compile` does, for the many short validation runs.
func mageBinary(t *testing.T) string {
	t.Helper()
	path := filepath.Join(binDir, "gearmage")
	cmd := exec.Command("go", "run", "mage.go", "-d", "magefiles", "-compile", path)
	cmd.Dir = repoRoot
	return mage.get(t, "the Mage targets", path, cmd)
}

// startCompiled starts a target of the compiled Mage binary in dir without
// waiting for it, for tests that interrupt it.
func startCompiled(t *testing.T, dir string, env []string, target string) (*exec.Cmd, *syncBuffer) {
	t.Helper()
	cmd := exec.Command(mageBinary(t), target)
	cmd.Dir = dir
	cmd.Env = append(baseEnv(), env...)
	out := newSyncBuffer()
	cmd.Stdout, cmd.Stderr = out, out
	require.NoError(t, cmd.Start())
	return cmd, out
}

// syncBuffer is a bytes.Buffer safe for a writing command and a polling test.
type syncBuffer struct {
	mu  chan struct{}
	buf bytes.Buffer
}

func newSyncBuffer() *syncBuffer { return &syncBuffer{mu: make(chan struct{}, 1)} }

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu <- struct{}{}
	defer func() { <-b.mu }()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu <- struct{}{}
	defer func() { <-b.mu }()
	return b.buf.String()
}

// waitForOutput polls out until it contains text, and fails the test
// after timeout.
func waitForOutput(t *testing.T, out *syncBuffer, text string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !strings.Contains(out.String(), text) {
		require.True(t, time.Now().Before(deadline), "%q did not appear within %s:\n%s", text, timeout, out.String())
		time.Sleep(100 * time.Millisecond)
	}
}

type buildError struct {
	what string
	out  string
	err  error
}

func (e *buildError) Error() string { return "compile " + e.what + ": " + e.err.Error() + "\n" + e.out }

// run is one finished command.
type run struct {
	output string
	code   int
}

// runMage runs a target with `go run mage.go` in dir, the way a user
// without mage installed does, with env added to a clean environment.
func runMage(t *testing.T, dir string, env map[string]string, args ...string) run {
	t.Helper()
	mageArgs := append([]string{"run", "mage.go", "-d", filepath.Join(repoRoot, "magefiles"), "-w", dir}, args...)
	cmd := exec.Command("go", mageArgs...)
	cmd.Dir = repoRoot
	return finish(t, cmd, env)
}

// runCompiled runs a target of the compiled Mage binary in dir.
func runCompiled(t *testing.T, dir string, env map[string]string, args ...string) run {
	t.Helper()
	cmd := exec.Command(mageBinary(t), args...)
	cmd.Dir = dir
	return finish(t, cmd, env)
}

func finish(t *testing.T, cmd *exec.Cmd, env map[string]string) run {
	t.Helper()
	cmd.Env = baseEnv()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	code := 0
	if exitErr, ok := err.(*exec.ExitError); ok {
		code = exitErr.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return run{output: out.String(), code: code}
}

// baseEnv keeps what go and the Docker client need and drops every
// setting of the tool, so the developer's shell cannot change a test.
func baseEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case "PATH", "HOME", "GOPATH", "GOCACHE", "GOMODCACHE", "GOFLAGS", "GOPROXY", "GOTOOLCHAIN", "TMPDIR", "DOCKER_HOST", "DOCKER_CERT_PATH", "DOCKER_TLS_VERIFY", "MAGEFILE_CACHE":
			env = append(env, kv)
		}
	}
	return append(env, "NO_COLOR=1", "PROGRESS=plain")
}

// fixtureRepo lays out a git checkout shaped like a gear repository: the
// Mix project at the root with the gear Dockerfile, docker/base with the
// EPUB_Converter submodule, docker/elixir. Every image is FROM scratch plus
// the probe binary.
func fixtureRepo(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	lib := filepath.Join(root, "EPUB_Converter.git")
	repo := filepath.Join(root, "gear")
	fixtures := filepath.Join(repoRoot, "testdata", "chain")

	git(t, "", "init", "-q", "-b", "main", lib)
	require.NoError(t, os.WriteFile(filepath.Join(lib, "README"), []byte("EPUB_Converter stand-in\n"), 0o644))
	git(t, lib, "add", "README")
	git(t, lib, "commit", "-q", "-m", "Add README")

	git(t, "", "init", "-q", "-b", "main", repo)
	copyTree(t, filepath.Join(fixtures, "gear"), repo)
	copyTree(t, filepath.Join(fixtures, "base"), filepath.Join(repo, "docker", "base"))
	copyTree(t, filepath.Join(fixtures, "elixir"), filepath.Join(repo, "docker", "elixir"))
	require.NoError(t, os.RemoveAll(filepath.Join(repo, "docker", "base", "EPUB_Converter")))
	git(t, repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", lib, "docker/base/EPUB_Converter")

	probe, err := os.ReadFile(probeBinary(t))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(repo, "docker", "base", "probe"), probe, 0o755))

	git(t, repo, "add", ".")
	git(t, repo, "commit", "-q", "-m", "Lay out the fixture gear")
	return repo
}

func git(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=Test", "GIT_AUTHOR_EMAIL=test@example.com",
		"GIT_COMMITTER_NAME=Test", "GIT_COMMITTER_EMAIL=test@example.com",
		"GIT_ALLOW_PROTOCOL=file")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "git %v: %s", args, out)
}

func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.Walk(src, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if info.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, info.Mode())
	})
	require.NoError(t, err)
}

// uniqueName returns a name no other test run uses, for image tags.
func uniqueName(prefix string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return "gearimage-test-" + prefix + "-" + hex.EncodeToString(b)
}

// newEngine connects to the engine; the test fails when there is none.
func newEngine(t *testing.T) *engine.Client {
	t.Helper()
	eng, err := engine.New()
	require.NoError(t, err)
	require.NoError(t, eng.Ping(context.Background()), "the integration tests need a running Docker Engine")
	t.Cleanup(func() { eng.Close() })
	return eng
}

// removeImages untags refs when the test ends.
func removeImages(t *testing.T, eng *engine.Client, refs ...string) {
	t.Cleanup(func() {
		for _, ref := range refs {
			if err := eng.RemoveImage(context.Background(), ref); err != nil {
				t.Logf("cleanup: %v", err)
			}
		}
	})
}

// imageExists reports whether the engine has ref.
func imageExists(t *testing.T, eng *engine.Client, ref string) bool {
	t.Helper()
	_, ok, err := eng.InspectImage(context.Background(), ref)
	require.NoError(t, err)
	return ok
}

// savedImage is an image exported with `docker save`: its raw files, and
// the file tree its layers produce.
type savedImage struct {
	raw   map[string][]byte
	files map[string][]byte
}

// has reports whether the image's file tree contains path. Tests assert on
// it instead of on the file map, whose binaries would flood a failure.
func (img savedImage) has(path string) bool {
	_, ok := img.files[path]
	return ok
}

// saveImage exports ref and unpacks its layers in order.
func saveImage(t *testing.T, eng *engine.Client, ref string) savedImage {
	t.Helper()
	rc, err := eng.SaveImage(context.Background(), ref)
	require.NoError(t, err)
	defer rc.Close()

	img := savedImage{raw: map[string][]byte{}, files: map[string][]byte{}}
	tr := tar.NewReader(rc)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		data, err := io.ReadAll(tr)
		require.NoError(t, err)
		img.raw[hdr.Name] = data
	}

	var manifest []struct{ Layers []string }
	require.NoError(t, json.Unmarshal(img.raw["manifest.json"], &manifest))
	require.Len(t, manifest, 1)
	for _, layer := range manifest[0].Layers {
		lr := tar.NewReader(bytes.NewReader(img.raw[layer]))
		for {
			hdr, err := lr.Next()
			if err == io.EOF {
				break
			}
			require.NoError(t, err)
			if hdr.Typeflag != tar.TypeReg {
				continue
			}
			data, err := io.ReadAll(lr)
			require.NoError(t, err)
			img.files["/"+strings.TrimPrefix(hdr.Name, "./")] = data
		}
	}
	return img
}

// testAgent serves an SSH agent with one key on a unix socket and returns
// the socket path and the key's comment.
func testAgent(t *testing.T, withKey bool) (sock, comment string) {
	t.Helper()
	comment = uniqueName("key")
	var keys []agent.AddedKey
	if withKey {
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		require.NoError(t, err)
		keys = append(keys, agent.AddedKey{PrivateKey: priv, Comment: comment})
	}
	server, err := sshagent.Serve(keys...)
	require.NoError(t, err)
	t.Cleanup(func() { server.Close() })
	sock = server.Socket
	return sock, comment
}

// hostListener listens on the engine bridge's gateway, the host as
// containers see it, and writes greeting to every connection.
func hostListener(t *testing.T, eng *engine.Client, greeting string) (port int) {
	t.Helper()
	gateway, err := eng.BridgeGateway(context.Background())
	require.NoError(t, err)
	ln, err := net.Listen("tcp", net.JoinHostPort(gateway, "0"))
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })

	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
			_, _ = conn.Write([]byte(greeting + "\n"))
			conn.Close()
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port
}
