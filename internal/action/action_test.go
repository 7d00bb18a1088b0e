package action

import (
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/sethvargo/go-githubactions"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/antikythera-gear/gearimage/internal/pipeline"
	"github.com/antikythera-gear/gearimage/internal/plan"
	"github.com/antikythera-gear/gearimage/internal/request"
)

// TestInputLookupReachesEverySetting gives every input a distinct value and
// finds each one in the request.
func TestInputLookupReachesEverySetting(t *testing.T) {
	fields := map[request.Key]func(*request.Request) string{
		request.KeyMixEnv:                func(r *request.Request) string { return r.MixEnv },
		request.KeyAntikytheraCompileEnv: func(r *request.Request) string { return r.AntikytheraCompileEnv },
		request.KeyAntikytheraRuntimeEnv: func(r *request.Request) string { return r.AntikytheraRuntimeEnv },
		request.KeyBaseImage:             func(r *request.Request) string { return r.BaseImage },
		request.KeyElixirImage:           func(r *request.Request) string { return r.ElixirImage },
		request.KeyPreviousImage:         func(r *request.Request) string { return r.PreviousImage },
		request.KeyTestSecretFile:        func(r *request.Request) string { return r.TestSecretFile },
		request.KeyTestSecret:            func(r *request.Request) string { return string(r.TestSecret) },
		request.KeyBaseTags:              func(r *request.Request) string { return strings.Join(r.Base.Tags, ",") },
		request.KeyElixirTags:            func(r *request.Request) string { return strings.Join(r.Elixir.Tags, ",") },
		request.KeyGearTags:              func(r *request.Request) string { return strings.Join(r.Gear.Tags, ",") },
		request.KeyBaseContext:           func(r *request.Request) string { return r.Base.Context },
		request.KeyElixirContext:         func(r *request.Request) string { return r.Elixir.Context },
		request.KeyGearContext:           func(r *request.Request) string { return r.Gear.Context },
		request.KeyBaseDockerfile:        func(r *request.Request) string { return r.Base.Dockerfile },
		request.KeyElixirDockerfile:      func(r *request.Request) string { return r.Elixir.Dockerfile },
		request.KeyGearDockerfile:        func(r *request.Request) string { return r.Gear.Dockerfile },
		request.KeyErlangVersion:         func(r *request.Request) string { return r.ErlangVersion },
		request.KeyElixirVersion:         func(r *request.Request) string { return r.ElixirVersion },
		request.KeyToolVersions:          func(r *request.Request) string { return r.ToolVersions },
		request.KeySubmodule:             func(r *request.Request) string { return r.Submodule },
		request.KeySSHAuthSock:           func(r *request.Request) string { return r.SSHAuthSock },
		request.KeyProgress:              func(r *request.Request) string { return r.Progress },
		request.KeyNoCache: func(r *request.Request) string {
			if r.NoCache {
				return "true"
			}
			return "false"
		},
	}
	for _, s := range request.Settings {
		require.Contains(t, fields, s.Key, "setting %s has no row in this test", s.Key)
	}

	values := map[request.Key]string{}
	vars := map[string]string{}
	for key := range fields {
		values[key] = "value-of-" + string(key)
		vars[inputEnvName(key)] = "  " + values[key] + "\n"
	}
	values[request.KeyGearTags] = "gear:a,gear:b"
	vars[inputEnvName(request.KeyGearTags)] = "gear:a\ngear:b\n"
	values[request.KeyNoCache] = "true"
	vars[inputEnvName(request.KeyNoCache)] = "true"

	// The agent socket is an environment variable, not an input.
	values[request.KeySSHAuthSock] = "/run/agent.sock"
	vars["SSH_AUTH_SOCK"] = "/run/agent.sock"
	vars[inputEnvName(request.KeySSHAuthSock)] = "/ignored/input.sock"

	gh := githubactions.New(githubactions.WithGetenv(func(name string) string { return vars[name] }), githubactions.WithWriter(io.Discard))
	req := request.New(request.TargetGear, inputLookup(gh))

	for key, field := range fields {
		assert.Equal(t, values[key], field(req), "input %s", key)
		assert.True(t, req.Explicit(key), "input %s is not marked as set", key)
	}
}

// TestInputLookupTreatsEmptyAsUnset leaves every input empty and expects
// the request's defaults.
func TestInputLookupTreatsEmptyAsUnset(t *testing.T) {
	vars := map[string]string{inputEnvName(request.KeyGearTags): "   ", inputEnvName(request.KeyMixEnv): ""}
	gh := githubactions.New(githubactions.WithGetenv(func(name string) string { return vars[name] }), githubactions.WithWriter(io.Discard))

	req := request.New(request.TargetGear, inputLookup(gh))
	assert.Equal(t, []string{request.DefaultGearTag}, req.Gear.Tags)
	assert.False(t, req.Explicit(request.KeyGearTags))
	assert.False(t, req.Explicit(request.KeyMixEnv))
	assert.Empty(t, req.SSHAuthSock)
	assert.Equal(t, DefaultProgress, req.Progress)
}

// TestRunBuildsChainFromInputs runs target all in prod on the fake engine
// and checks what each build received.
func TestRunBuildsChainFromInputs(t *testing.T) {
	gearWorkspace(t)
	sock := sshAgent(t)
	eng := newFakeEngine()
	password := "pw-" + strings.Repeat("x", 8) + "-build"
	inputs := validProdInputs(testSecret(password))
	inputs[string(request.KeyNoCache)] = "true"

	run := runAction(t, eng.connect, inputs, map[string]string{"SSH_AUTH_SOCK": sock})
	require.Equal(t, ExitSuccess, run.status, run.stdout)
	require.Len(t, eng.builds, 3)
	base, elixir, gear := eng.builds[0], eng.builds[1], eng.builds[2]

	t.Run("tags and contexts", func(t *testing.T) {
		assert.Equal(t, []string{"base:1"}, base.Tags)
		assert.Equal(t, "docker/base", base.ContextDir)
		assert.Equal(t, []string{"elixir:1"}, elixir.Tags)
		assert.Equal(t, "docker/elixir", elixir.ContextDir)
		assert.Equal(t, []string{"gear:1", "gear:latest"}, gear.Tags)
		assert.Equal(t, ".", gear.ContextDir)
		assert.Equal(t, "Dockerfile", gear.Dockerfile)
	})

	t.Run("build args", func(t *testing.T) {
		assert.Equal(t, "base:1", elixir.BuildArgs[plan.ArgBaseImage])
		assert.Equal(t, "25.2.3", elixir.BuildArgs[plan.ArgErlangVersion])
		assert.Equal(t, "1.14.0-otp-25", elixir.BuildArgs[plan.ArgElixirVersion])
		assert.Equal(t, "elixir:1", gear.BuildArgs[plan.ArgElixirImage])
		assert.Equal(t, "prod", gear.BuildArgs[plan.ArgMixEnv])
		assert.Equal(t, "compile-env", gear.BuildArgs[plan.ArgAntikytheraCompileEnv])
		assert.Equal(t, "runtime-env", gear.BuildArgs[plan.ArgAntikytheraRuntimeEnv])
	})

	t.Run("options", func(t *testing.T) {
		for _, b := range eng.builds {
			assert.True(t, b.NoCache, "build of %v", b.Tags)
			assert.Equal(t, DefaultProgress, b.Progress, "build of %v", b.Tags)
		}
		assert.Equal(t, sock, gear.SSHAgentSocket)
		assert.Contains(t, string(gear.Secrets[plan.SecretID]), password)
		assert.Contains(t, string(gear.Secrets[plan.SecretID]), `"hostname": "host.docker.internal"`)
		assert.Empty(t, base.Secrets)
	})

	t.Run("notes", func(t *testing.T) {
		assert.Contains(t, run.stdout, "elixir image: Erlang 25.2.3 and Elixir 1.14.0-otp-25 from .tool-versions\n")
		assert.Contains(t, run.stdout, "gear image: no previous image: building the Mix project from scratch\n")
		assert.Contains(t, run.stdout, `gear image: test secret: db.hostname "localhost" is rewritten to "host.docker.internal" for the build`)
	})

	t.Run("log groups", func(t *testing.T) {
		for _, image := range []string{"base", "elixir", "gear"} {
			start := strings.Index(run.stdout, "::group::Build "+image+" image\n")
			require.GreaterOrEqual(t, start, 0, "no group for %s:\n%s", image, run.stdout)
			end := strings.Index(run.stdout[start:], "::endgroup::\n")
			require.GreaterOrEqual(t, end, 0, "group of %s is not closed", image)
			assert.Contains(t, run.stdout[start:start+end], "Built "+image+" image in ")
		}
	})

	t.Run("no secret in the log, outputs or summary", func(t *testing.T) {
		for _, line := range strings.Split(run.stdout, "\n") {
			if !strings.HasPrefix(line, "::add-mask::") {
				assert.NotContains(t, line, password)
			}
		}
		for name, value := range run.outputs {
			assert.NotContains(t, value, password, "output %s", name)
		}
		assert.NotContains(t, run.summary, password)
	})
}

// TestRunSetsOutputs checks every step output of a successful run.
func TestRunSetsOutputs(t *testing.T) {
	gearWorkspace(t)
	eng := newFakeEngine("gear:previous")
	inputs := validProdInputs(testSecret("pw-outputs"))
	inputs[string(request.KeyPreviousImage)] = "gear:previous"

	run := runAction(t, eng.connect, inputs, map[string]string{"SSH_AUTH_SOCK": sshAgent(t)})
	require.Equal(t, ExitSuccess, run.status, run.stdout)

	assert.Equal(t, fakeImageID("base:1"), run.outputs["base_image_id"])
	assert.Equal(t, "base:1", run.outputs["base_tags"])
	assert.Equal(t, fakeImageID("elixir:1"), run.outputs["elixir_image_id"])
	assert.Equal(t, "elixir:1", run.outputs["elixir_tags"])
	assert.Equal(t, fakeImageID("gear:1"), run.outputs["gear_image_id"])
	assert.Equal(t, "gear:1,gear:latest", run.outputs["gear_tags"])
	assert.Len(t, run.outputs, 7)

	var meta Metadata
	require.NoError(t, json.Unmarshal([]byte(run.outputs["metadata"]), &meta))
	assert.Equal(t, request.TargetAll, meta.Target)
	require.Len(t, meta.Images, 3)
	for i, want := range []struct {
		image request.Target
		tags  []string
	}{
		{request.TargetBase, []string{"base:1"}},
		{request.TargetElixir, []string{"elixir:1"}},
		{request.TargetGear, []string{"gear:1", "gear:latest"}},
	} {
		got := meta.Images[i]
		assert.Equal(t, want.image, got.Image)
		assert.Equal(t, want.tags, got.Tags)
		assert.Equal(t, fakeImageID(want.tags[0]), got.ImageID)
		assert.Equal(t, fakeImageSize(want.tags), got.Size)
		assert.GreaterOrEqual(t, got.DurationSeconds, 0.0)
	}
	assert.Nil(t, meta.Images[0].Reused)
	assert.Nil(t, meta.Images[1].Reused)
	require.NotNil(t, meta.Images[2].Reused)
	assert.Equal(t, "gear:previous", *meta.Images[2].Reused)

	// reused is null, not missing, for images built from scratch.
	assert.Contains(t, run.outputs["metadata"], `"reused":null`)
}

// TestRunWritesSummaryTable checks the Markdown table of the step summary.
func TestRunWritesSummaryTable(t *testing.T) {
	gearWorkspace(t)
	eng := newFakeEngine("gear:previous")
	inputs := validProdInputs(testSecret("pw-summary"))
	inputs[string(request.KeyPreviousImage)] = "gear:previous"

	run := runAction(t, eng.connect, inputs, map[string]string{"SSH_AUTH_SOCK": sshAgent(t)})
	require.Equal(t, ExitSuccess, run.status, run.stdout)

	lines := strings.Split(strings.TrimSpace(run.summary), "\n")
	require.Len(t, lines, 7, run.summary)
	assert.Equal(t, "### Antikythera gear images (target all)", lines[0])
	assert.Equal(t, "| Image | Tags | Image ID | Size | Duration | Reused |", lines[2])
	assert.Equal(t, "| --- | --- | --- | --- | --- | --- |", lines[3])

	rows := []struct {
		line, image, tags, id, size, reused string
	}{
		{lines[4], "base", "`base:1`", fakeImageID("base:1")[7:19], "1.5MB", "no"},
		{lines[5], "elixir", "`elixir:1`", fakeImageID("elixir:1")[7:19], "1.5MB", "no"},
		{lines[6], "gear", "`gear:1`<br>`gear:latest`", fakeImageID("gear:1")[7:19], "3MB", "from `gear:previous`"},
	}
	for _, row := range rows {
		cells := strings.Split(strings.Trim(row.line, "| "), " | ")
		require.Len(t, cells, 6, row.line)
		assert.Equal(t, row.image, cells[0])
		assert.Equal(t, row.tags, cells[1])
		assert.Equal(t, "`"+row.id+"`", cells[2])
		assert.Equal(t, row.size, cells[3])
		assert.Regexp(t, `^[0-9.]+(ms|µs|ns|s)$`, cells[4])
		assert.Equal(t, row.reused, cells[5])
	}
}

// TestRunAnnotatesInvalidInputs gives one bad input at a time and expects
// an error annotation naming it, exit status 1 and no build.
func TestRunAnnotatesInvalidInputs(t *testing.T) {
	gearWorkspace(t)
	password := "pw-never-shown-7731"
	cases := []struct {
		name   string
		change map[string]string
		env    map[string]string
		want   string
	}{
		{"mix env test", map[string]string{"mix_env": "test"}, nil,
			`::error title=Invalid input mix_env::mix_env="test": must be dev or prod; set it to dev or prod`},
		{"unknown target", map[string]string{"target": "everything"}, nil,
			`::error title=Invalid input target::target="everything": unknown target; use one of base, elixir, gear, all`},
		{"unknown progress", map[string]string{"progress": "fancy"}, nil,
			`::error title=Invalid input progress::progress="fancy": unknown progress mode`},
		{"no cache not boolean", map[string]string{"no_cache": "maybe"}, nil,
			`::error title=Invalid input no_cache::no_cache="maybe": not a boolean`},
		{"prod without compile env", map[string]string{"antikythera_compile_env": ""}, nil,
			`::error title=Invalid input antikythera_compile_env::antikythera_compile_env: missing; it is required when mix_env is prod`},
		{"base image with target all", map[string]string{"base_image": "base:other"}, nil,
			`::error title=Invalid input base_image::base_image="base:other": cannot be set when the target is all`},
		{"secret twice", map[string]string{"test_secret_file": "gear_test_config.json"}, nil,
			`::error title=Invalid input test_secret::test_secret="<`},
		{"secret not JSON", map[string]string{"test_secret": `{"db": {"password": "` + password + `"`}, nil,
			`::error title=Invalid input test_secret::test_secret="<`},
		{"ssh agent unset", nil, map[string]string{"SSH_AUTH_SOCK": ""},
			`::error title=Invalid environment variable SSH_AUTH_SOCK::SSH_AUTH_SOCK: `},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			eng := newFakeEngine()
			inputs := validProdInputs(testSecret(password))
			for k, v := range tc.change {
				inputs[k] = v
			}
			env := map[string]string{"SSH_AUTH_SOCK": sshAgent(t)}
			for k, v := range tc.env {
				env[k] = v
			}

			run := runAction(t, eng.connect, inputs, env)
			assert.Equal(t, ExitFailure, run.status)
			assert.Contains(t, run.stdout, tc.want)
			assert.Contains(t, run.stdout, "found; nothing was built or tagged.")
			assert.Empty(t, eng.builds, "an image was built")
			assert.NotContains(t, run.stdout, "::group::")

			assert.Contains(t, run.summary, "Nothing was built or tagged")
			assert.NotContains(t, run.summary, "| Image |")
			assert.Equal(t, `{"target":"`+inputs["target"]+`","images":[]}`, run.outputs["metadata"])
			assert.NotContains(t, run.outputs, "gear_image_id")

			for _, line := range strings.Split(run.stdout, "\n") {
				if !strings.HasPrefix(line, "::add-mask::") {
					assert.NotContains(t, line, password)
				}
			}
		})
	}
}

// TestRunReportsEngineClientError makes creating the engine client fail and
// expects the error as an annotation among the other checks' results.
func TestRunReportsEngineClientError(t *testing.T) {
	gearWorkspace(t)
	connect := func() (pipeline.Engine, func(), error) {
		return nil, nil, errors.New(`invalid Docker client settings (DOCKER_HOST="tcp://"): no host`)
	}
	inputs := validProdInputs(testSecret("pw-engine"))
	inputs["mix_env"] = "test"

	run := runAction(t, connect, inputs, map[string]string{"SSH_AUTH_SOCK": sshAgent(t)})
	assert.Equal(t, ExitFailure, run.status)
	assert.Contains(t, run.stdout, `::error title=Docker Engine check failed::DOCKER_HOST: invalid Docker client settings (DOCKER_HOST="tcp://"): no host`)
	assert.Contains(t, run.stdout, `::error title=Invalid input mix_env::`)
}

// TestRunReportsFailedBuild fails the elixir build and expects the base
// image in the outputs, the error annotation and no gear build.
func TestRunReportsFailedBuild(t *testing.T) {
	gearWorkspace(t)
	eng := newFakeEngine()
	eng.failTag = "elixir:1"

	run := runAction(t, eng.connect, validProdInputs(testSecret("pw-failed")), map[string]string{"SSH_AUTH_SOCK": sshAgent(t)})
	assert.Equal(t, ExitFailure, run.status)
	require.Len(t, eng.builds, 2, "the gear was built after a failed elixir build")

	group := strings.Index(run.stdout, "::group::Build elixir image\n")
	require.GreaterOrEqual(t, group, 0, run.stdout)
	rest := run.stdout[group:]
	end := strings.Index(rest, "::endgroup::\n")
	annotation := strings.Index(rest, "::error title=Build of the elixir image failed::build elixir image: process")
	require.GreaterOrEqual(t, end, 0, "the group of the failed build is not closed")
	assert.Greater(t, annotation, end, "the annotation is inside the closed group")
	assert.Equal(t, 1, strings.Count(run.stdout, "::error "), "one annotation only:\n%s", run.stdout)

	assert.Equal(t, fakeImageID("base:1"), run.outputs["base_image_id"])
	assert.NotContains(t, run.outputs, "elixir_image_id")
	assert.NotContains(t, run.outputs, "gear_image_id")
	var meta Metadata
	require.NoError(t, json.Unmarshal([]byte(run.outputs["metadata"]), &meta))
	require.Len(t, meta.Images, 1)
	assert.Equal(t, request.TargetBase, meta.Images[0].Image)

	assert.Contains(t, run.summary, "| base | `base:1` |")
	assert.Contains(t, run.summary, "The build of the elixir image failed")
}

// TestRunWithoutOutputFile runs outside a job, where GITHUB_OUTPUT is
// unset, and expects a failed step with an error that names the variable.
func TestRunWithoutOutputFile(t *testing.T) {
	gearWorkspace(t)
	eng := newFakeEngine()
	inputs := validProdInputs(testSecret("pw-no-output"))

	run := runAction(t, eng.connect, inputs, map[string]string{"SSH_AUTH_SOCK": sshAgent(t), "GITHUB_OUTPUT": "", "GITHUB_STEP_SUMMARY": ""})
	assert.Equal(t, ExitFailure, run.status)
	assert.Len(t, eng.builds, 3)
	assert.Contains(t, run.stdout, "::error title=Step outputs not written::GITHUB_OUTPUT is not set")
	assert.Contains(t, run.stdout, "::warning::The step summary was not written: GITHUB_STEP_SUMMARY is not set")
	assert.Empty(t, run.outputs)
	assert.Empty(t, run.summary)
}
