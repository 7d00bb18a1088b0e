package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/antikythera-gear/gearimage/internal/action"
	"github.com/antikythera-gear/gearimage/internal/report"
)

// actModule is the nektos/act release the tests run workflows with. It is
// compiled from the Go module proxy, not taken from go.mod, so its
// dependencies do not change the versions this module builds with.
const actModule = "github.com/nektos/act@v0.2.89"

// actionDir is where the tests put a copy of the Action inside the fixture
// repository, for `uses: ./gearimage-action`.
const actionDir = "gearimage-action"

var act compiledBinary

// actBinary compiles act once per test run.
func actBinary(t *testing.T) string {
	t.Helper()
	cmd := exec.Command("go", "install", actModule)
	cmd.Env = append(os.Environ(), "GOBIN="+binDir, "CGO_ENABLED=0")
	return act.get(t, actModule, filepath.Join(binDir, "act"), cmd)
}

// copyAction copies action.yml and the Go sources it compiles into
// repo/gearimage-action, leaving out tests and test data.
func copyAction(t *testing.T, repo string) {
	t.Helper()
	dst := filepath.Join(repo, actionDir)
	for _, name := range []string{"action.yml", "go.mod", "go.sum"} {
		data, err := os.ReadFile(filepath.Join(repoRoot, name))
		require.NoError(t, err)
		require.NoError(t, os.MkdirAll(dst, 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dst, name), data, 0o644))
	}
	for _, tree := range []string{"cmd", "internal"} {
		err := filepath.WalkDir(filepath.Join(repoRoot, tree), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && d.Name() == "testdata" {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			rel, err := filepath.Rel(repoRoot, path)
			if err != nil {
				return err
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			target := filepath.Join(dst, rel)
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return err
			}
			return os.WriteFile(target, data, 0o644)
		})
		require.NoError(t, err)
	}
}

// actWorkflow returns a workflow that copies the fixture checkout into the
// workspace, runs the Action with inputs, and saves its outputs as files
// in $RESULTS_DIR.
//
// act in host mode starts each job in an empty workspace, and the test may
// not use actions/checkout, so the first step copies the checkout the way
// act's built-in stand-in for actions/checkout does.
func actWorkflow(inputs map[string]string) string {
	var with strings.Builder
	for _, name := range sortedKeys(inputs) {
		fmt.Fprintf(&with, "          %s: %s\n", name, inputs[name])
	}
	return `name: gear image
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - name: Copy the checkout
        run: cp -a "$FIXTURE_CHECKOUT/." "$GITHUB_WORKSPACE/"
      - id: gear
        uses: ./` + actionDir + `
        with:
` + with.String() + `      - name: Save the outputs
        env:
          BASE_IMAGE_ID: ${{ steps.gear.outputs.base_image_id }}
          BASE_TAGS: ${{ steps.gear.outputs.base_tags }}
          ELIXIR_IMAGE_ID: ${{ steps.gear.outputs.elixir_image_id }}
          ELIXIR_TAGS: ${{ steps.gear.outputs.elixir_tags }}
          GEAR_IMAGE_ID: ${{ steps.gear.outputs.gear_image_id }}
          GEAR_TAGS: ${{ steps.gear.outputs.gear_tags }}
          METADATA: ${{ steps.gear.outputs.metadata }}
        run: |
          for name in BASE_IMAGE_ID BASE_TAGS ELIXIR_IMAGE_ID ELIXIR_TAGS GEAR_IMAGE_ID GEAR_TAGS METADATA; do
            printf '%s' "${!name}" > "$RESULTS_DIR/$name"
          done
`
}

func sortedKeys(m map[string]string) []string {
	return slices.Sorted(maps.Keys(m))
}

// writeWorkflow writes workflow into repo and commits it with the copy of
// the Action, so the checkout that act reads is clean.
func writeWorkflow(t *testing.T, repo, workflow string) string {
	t.Helper()
	path := filepath.Join(repo, ".github", "workflows", "gear.yml")
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(workflow), 0o644))
	git(t, repo, "add", ".")
	git(t, repo, "commit", "-q", "-m", "Add the gear image workflow")
	return path
}

// runAct runs the push event of workflow in repo with act in host mode and
// offline: no image is pulled and no remote action is fetched. secrets and
// env are passed to the job; act's own environment is the clean one of the
// other integration tests.
func runAct(t *testing.T, repo, workflow string, secrets, env map[string]string) run {
	t.Helper()
	actPath := actBinary(t)
	cache := t.TempDir()
	args := []string{
		"push",
		"-C", repo,
		"-W", workflow,
		"-P", "ubuntu-latest=-self-hosted",
		"--pull=false",
		"--action-offline-mode",
		"--no-cache-server",
		"--action-cache-path", filepath.Join(cache, "act"),
	}
	// The secrets go through a file, never act's arguments, which any
	// process on the machine can read.
	if len(secrets) > 0 {
		var lines strings.Builder
		for _, name := range sortedKeys(secrets) {
			require.NotContains(t, secrets[name], "'", "a secret in single quotes cannot contain one")
			require.NotContains(t, secrets[name], "\n")
			fmt.Fprintf(&lines, "%s='%s'\n", name, secrets[name])
		}
		secretFile := filepath.Join(cache, "secrets.env")
		require.NoError(t, os.WriteFile(secretFile, []byte(lines.String()), 0o600))
		args = append(args, "--secret-file", secretFile)
	}
	for _, name := range sortedKeys(env) {
		args = append(args, "--env", name+"="+env[name])
	}

	// act runs in a network namespace of its own, with no interface but a
	// loopback that is down. At startup it dials a public DNS address to
	// choose its default server addresses, and that dial must fail here
	// instead of reaching out. The engine, the SSH agent and the Go module
	// cache are reached through the file system, so the workflow still runs.
	cmd := exec.Command("unshare", append([]string{"--net", "--", actPath}, args...)...)
	cmd.Dir = repo
	// act reads its configuration and keeps its caches in the XDG
	// directories, which the test points at its own. Go puts its build
	// cache there too unless GOCACHE names it, and with a cold cache the
	// Action's `go build` takes minutes.
	cmd.Env = append(baseEnv(),
		"GOCACHE="+goEnv(t, "GOCACHE"),
		"GOPROXY=off",
		"XDG_CONFIG_HOME="+filepath.Join(cache, "config"),
		"XDG_CACHE_HOME="+filepath.Join(cache, "cache"))
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out

	start := time.Now()
	err := cmd.Run()
	t.Logf("act ran the workflow in %s", time.Since(start).Round(time.Millisecond))
	code := 0
	if exitErr, ok := err.(*exec.ExitError); ok {
		code = exitErr.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return run{output: out.String(), code: code}
}

// buildArgLine returns the line of a probe env file that starts with
// prefix, or "" when there is none.
func buildArgLine(text, prefix string) string {
	for _, line := range strings.SplitAfter(text, "\n") {
		if strings.HasPrefix(line, prefix) {
			return line
		}
	}
	return ""
}

// goEnv returns the value of a Go environment variable as `go env` prints
// it.
func goEnv(t *testing.T, name string) string {
	t.Helper()
	out, err := exec.Command("go", "env", name).Output()
	require.NoError(t, err)
	value := strings.TrimSpace(string(out))
	require.NotEmpty(t, value, "go env %s is empty", name)
	return value
}

// TestActionBuildsChainWithAct runs the Action through act on the fixture
// gear with target all in prod, then checks its outputs, its step summary,
// the images and that the test secret's password never reaches the log.
func TestActionBuildsChainWithAct(t *testing.T) {
	eng := newEngine(t)
	repo := fixtureRepo(t)
	copyAction(t, repo)
	agentSock, keyComment := testAgent(t, true)
	greeting := uniqueName("greeting")
	port := hostListener(t, eng, greeting)
	require.NoError(t, os.WriteFile(filepath.Join(repo, ".tool-versions"), []byte("erlang 25.2.3\nelixir 1.14.0-otp-25\n"), 0o644))

	password := uniqueName("password")
	secret := fmt.Sprintf(`{"db": {"hostname": "localhost", "port": %d, "username": "postgres", "password": %q, "database": "gear_test", "ssl": false}}`, port, password)

	base, elixir, gear, gearLatest := uniqueName("base"), uniqueName("elixir"), uniqueName("gear"), uniqueName("gear-latest")
	removeImages(t, eng, base, elixir, gear, gearLatest)
	workflow := writeWorkflow(t, repo, actWorkflow(map[string]string{
		"target":                  "all",
		"mix_env":                 "prod",
		"antikythera_compile_env": "compile-env",
		"antikythera_runtime_env": "runtime-env",
		"test_secret":             "${{ secrets.GEAR_TEST_CONFIG }}",
		"base_tags":               base,
		"elixir_tags":             elixir,
		"gear_tags":               gear + "," + gearLatest,
	}))

	results := t.TempDir()
	res := runAct(t, repo, workflow,
		map[string]string{"GEAR_TEST_CONFIG": secret},
		map[string]string{"SSH_AUTH_SOCK": agentSock, "RESULTS_DIR": results, "FIXTURE_CHECKOUT": repo})
	require.Equal(t, 0, res.code, res.output)

	t.Run("password appears nowhere in the log", func(t *testing.T) {
		assert.NotContains(t, res.output, password)
		// act logs each ::add-mask:: command it receives as a gear and ***.
		assert.Contains(t, res.output, "⚙  ***")
	})

	ctx := context.Background()
	output := func(name string) string {
		data, err := os.ReadFile(filepath.Join(results, name))
		require.NoError(t, err, "output file %s", name)
		return string(data)
	}

	t.Run("outputs", func(t *testing.T) {
		for _, c := range []struct{ ref, idOutput, tagsOutput, tags string }{
			{base, "BASE_IMAGE_ID", "BASE_TAGS", base},
			{elixir, "ELIXIR_IMAGE_ID", "ELIXIR_TAGS", elixir},
			{gear, "GEAR_IMAGE_ID", "GEAR_TAGS", gear + "," + gearLatest},
		} {
			img, ok, err := eng.InspectImage(ctx, c.ref)
			require.NoError(t, err)
			require.True(t, ok, "%s was not built", c.ref)
			assert.Equal(t, img.ID, output(c.idOutput))
			assert.Equal(t, c.tags, output(c.tagsOutput))
		}
		latest, ok, err := eng.InspectImage(ctx, gearLatest)
		require.NoError(t, err)
		require.True(t, ok)
		assert.Equal(t, output("GEAR_IMAGE_ID"), latest.ID)
		for _, name := range []string{"BASE_IMAGE_ID", "BASE_TAGS", "ELIXIR_IMAGE_ID", "ELIXIR_TAGS", "GEAR_IMAGE_ID", "GEAR_TAGS", "METADATA"} {
			assert.NotContains(t, output(name), password, "output %s", name)
		}
	})

	var meta action.Metadata
	require.NoError(t, json.Unmarshal([]byte(output("METADATA")), &meta), output("METADATA"))

	t.Run("metadata", func(t *testing.T) {
		assert.Equal(t, "all", string(meta.Target))
		require.Len(t, meta.Images, 3)
		for i, want := range []struct {
			image string
			tags  []string
		}{
			{"base", []string{base}},
			{"elixir", []string{elixir}},
			{"gear", []string{gear, gearLatest}},
		} {
			got := meta.Images[i]
			assert.Equal(t, want.image, string(got.Image))
			assert.Equal(t, want.tags, got.Tags)
			img, ok, err := eng.InspectImage(ctx, want.tags[0])
			require.NoError(t, err)
			require.True(t, ok)
			assert.Equal(t, img.ID, got.ImageID)
			assert.Equal(t, img.Size, got.Size)
			assert.Greater(t, got.DurationSeconds, 0.0)
			assert.Nil(t, got.Reused)
		}
	})

	t.Run("step summary", func(t *testing.T) {
		// act prints the content of the step summary file after the step.
		assert.Contains(t, res.output, "Summary - ### Antikythera gear images (target all)")
		assert.Contains(t, res.output, "| Image | Tags | Image ID | Size | Duration | Reused |")
		for _, img := range meta.Images {
			row := fmt.Sprintf("| %s | `%s` | `%s` | %s | ", img.Image, strings.Join(img.Tags, "`<br>`"), report.ShortID(img.ImageID), report.FormatSize(img.Size))
			assert.Contains(t, res.output, row)
		}
		assert.Contains(t, res.output, " | no |\n")
	})

	t.Run("plain progress by default", func(t *testing.T) {
		// act runs the step on a pseudo-terminal, where progress auto
		// would pick the terminal display with its escape sequences.
		assert.NotContains(t, res.output, "\x1b[")
		assert.Contains(t, res.output, "#12 writing image sha256:")
		assert.Contains(t, res.output, "#12 DONE")
	})

	t.Run("log groups per image", func(t *testing.T) {
		for _, image := range []string{"base", "elixir", "gear"} {
			assert.Contains(t, res.output, "::group::Build "+image+" image")
		}
		assert.Equal(t, 3, strings.Count(res.output, "::endgroup::"))
	})

	saved := saveImage(t, eng, gear)

	t.Run("test secret reaches mix test with the rewritten host", func(t *testing.T) {
		assert.Contains(t, res.output, `db.hostname "localhost" is rewritten to "host.docker.internal"`)
		assert.Equal(t, "hostname=host.docker.internal\nreply="+greeting+"\n", string(saved.files["/gear/_build/test/secret-check"]))
	})

	t.Run("SSH agent from SSH_AUTH_SOCK is forwarded", func(t *testing.T) {
		assert.Equal(t, keyComment+"\n", string(saved.files["/gear/deps/agent-keys"]))
	})

	t.Run("inputs arrive as build args", func(t *testing.T) {
		args := string(saved.files["/gear/_build/prod/args"])
		assert.Equal(t, "mix_env=prod\n", buildArgLine(args, "mix_env="))
		assert.Equal(t, "antikythera_compile_env=compile-env\n", buildArgLine(args, "antikythera_compile_env="))
		assert.Equal(t, "antikythera_runtime_env=runtime-env\n", buildArgLine(args, "antikythera_runtime_env="))
		assert.Equal(t, "base_image="+base+"\nelixir_version=1.14.0-otp-25\nerlang_version=25.2.3\n", string(saved.files["/etc/layers/elixir"]))
	})
}

// TestActionRejectsInvalidInputWithAct runs the Action through act with
// mix_env test and expects a failed job, an error annotation naming the
// input, and no image tagged.
func TestActionRejectsInvalidInputWithAct(t *testing.T) {
	eng := newEngine(t)
	repo := fixtureRepo(t)
	copyAction(t, repo)
	agentSock, _ := testAgent(t, true)

	base, elixir, gear := uniqueName("base"), uniqueName("elixir"), uniqueName("gear")
	removeImages(t, eng, base, elixir, gear)
	workflow := writeWorkflow(t, repo, actWorkflow(map[string]string{
		"target":                  "all",
		"mix_env":                 "test",
		"antikythera_compile_env": "compile-env",
		"antikythera_runtime_env": "runtime-env",
		"test_secret":             "${{ secrets.GEAR_TEST_CONFIG }}",
		"erlang_version":          "25.2.3",
		"elixir_version":          "1.14.0-otp-25",
		"base_tags":               base,
		"elixir_tags":             elixir,
		"gear_tags":               gear,
	}))

	results := t.TempDir()
	res := runAct(t, repo, workflow,
		map[string]string{"GEAR_TEST_CONFIG": `{"db": {"hostname": "localhost", "password": "hunter2-invalid-run"}}`},
		map[string]string{"SSH_AUTH_SOCK": agentSock, "RESULTS_DIR": results, "FIXTURE_CHECKOUT": repo})

	assert.NotEqual(t, 0, res.code, res.output)
	assert.Contains(t, res.output, `::error title=Invalid input mix_env::mix_env="test": must be dev or prod`)
	assert.Contains(t, res.output, "1 problem found; nothing was built or tagged.")
	assert.Contains(t, res.output, "Job failed")
	assert.NotContains(t, res.output, "::group::Build")
	assert.NotContains(t, res.output, "hunter2-invalid-run")
	for _, tag := range []string{base, elixir, gear} {
		assert.False(t, imageExists(t, eng, tag), "%s was tagged", tag)
	}
	// The step after the Action does not run once the job has failed.
	assert.NoFileExists(t, filepath.Join(results, "METADATA"))
}
