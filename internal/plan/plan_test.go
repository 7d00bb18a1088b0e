package plan

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/antikythera-gear/gearimage/internal/request"
)

func newRequest(target request.Target, env map[string]string) *request.Request {
	return request.New(target, request.EnvLookup(func(k string) string { return env[k] }))
}

func TestNewAllChainsTheImages(t *testing.T) {
	p := New(newRequest(request.TargetAll, map[string]string{
		"MIX_ENV": "prod", "ANTIKYTHERA_COMPILE_ENV": "c", "ANTIKYTHERA_RUNTIME_ENV": "r",
		"BASE_TAGS": "b:1,b:latest", "ELIXIR_TAGS": "e:1",
	}))
	require.Len(t, p.Steps, 3)

	base, elixir, gear := p.Steps[0], p.Steps[1], p.Steps[2]
	assert.Equal(t, request.TargetBase, base.Image)
	assert.True(t, base.CheckSubmodule)
	assert.Empty(t, base.BuildArgs)

	assert.Equal(t, request.TargetElixir, elixir.Image)
	assert.Equal(t, map[string]string{"base_image": "b:1"}, elixir.BuildArgs)
	assert.True(t, elixir.ParentBuilt)
	assert.True(t, elixir.NeedsVersions)

	assert.Equal(t, request.TargetGear, gear.Image)
	assert.Equal(t, map[string]string{
		"elixir_image": "e:1", "previous_image": "e:1", "mix_env": "prod",
		"antikythera_compile_env": "c", "antikythera_runtime_env": "r",
	}, gear.BuildArgs)
	assert.True(t, gear.ParentBuilt)
	assert.True(t, gear.NeedsSecret)
	assert.True(t, gear.NeedsSSH)
	assert.Empty(t, gear.Previous)
}

func TestNewGearReusesPreviousImage(t *testing.T) {
	p := New(newRequest(request.TargetGear, map[string]string{"MIX_ENV": "dev", "PREVIOUS_IMAGE": "gear:old"}))
	require.Len(t, p.Steps, 1)

	gear := p.Steps[0]
	assert.Equal(t, "gear:old", gear.Previous)
	assert.Equal(t, "gear:old", gear.BuildArgs["previous_image"])
	assert.Equal(t, "raise-elixir-local", gear.Parent)
	assert.False(t, gear.ParentBuilt)
	assert.False(t, gear.NeedsSecret, "dev builds run no mix test")
	assert.NotContains(t, gear.BuildArgs, "antikythera_compile_env")
}

func TestNewSingleImages(t *testing.T) {
	p := New(newRequest(request.TargetElixir, map[string]string{"BASE_IMAGE": "my-base"}))
	require.Len(t, p.Steps, 1)
	assert.Equal(t, "my-base", p.Steps[0].Parent)
	assert.False(t, p.Steps[0].ParentBuilt)

	p = New(newRequest(request.TargetBase, map[string]string{"SUBMODULE": "none"}))
	require.Len(t, p.Steps, 1)
	assert.False(t, p.Steps[0].CheckSubmodule)
}

func TestSetVersions(t *testing.T) {
	p := New(newRequest(request.TargetElixir, nil))
	step := p.Steps[0]
	step.SetVersions("25.2.3", "1.14.0")

	assert.Equal(t, "25.2.3", step.BuildArgs["erlang_version"])
	assert.Equal(t, "1.14.0", step.BuildArgs["elixir_version"])
	assert.Equal(t, map[string]string{LabelErlangVersion: "25.2.3", LabelElixirVersion: "1.14.0"}, step.Labels)
}
