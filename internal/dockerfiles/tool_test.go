package dockerfiles

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/antikythera-gear/gearimage/internal/engine"
	"github.com/antikythera-gear/gearimage/internal/plan"
	"github.com/antikythera-gear/gearimage/internal/request"
)

// TestToolPassesDeclaredArgs plans a whole prod chain the way the tool does
// and checks each build arg, the secret id, the SSH id and the labels
// against the production Dockerfiles.
func TestToolPassesDeclaredArgs(t *testing.T) {
	env := map[string]string{"MIX_ENV": "prod", "ANTIKYTHERA_COMPILE_ENV": "dev", "ANTIKYTHERA_RUNTIME_ENV": "dev", "TEST_SECRET_FILE": "s.json"}
	r := request.New(request.TargetAll, request.EnvLookup(func(k string) string { return env[k] }))
	p := plan.New(r)

	dockerfileOf := map[request.Target]string{
		request.TargetBase:   BaseDockerfile,
		request.TargetElixir: ElixirDockerfile,
		request.TargetGear:   GearDockerfile,
	}
	for _, step := range p.Steps {
		if step.NeedsVersions {
			step.SetVersions("25.2.3", "1.14.0")
		}
		declared := parseDockerfile(t, dockerfileOf[step.Image]).declaredArgs()
		for name := range step.BuildArgs {
			assert.Contains(t, declared, name, "the tool passes build arg %s, which %s does not declare", name, dockerfileOf[step.Image])
		}
		assert.Equal(t, step.Spec.Dockerfile, dockerfileOf[step.Image], "default Dockerfile of the %s image", step.Image)
	}
	assert.ElementsMatch(t, GearBuildArgs, keys(p.Steps[2].BuildArgs))
	assert.ElementsMatch(t, ElixirBuildArgs, keys(p.Steps[1].BuildArgs))

	assert.Equal(t, SecretID, plan.SecretID)
	assert.Equal(t, SSHID, engine.SSHID)
	assert.Equal(t, ErlangVersionLabel, plan.LabelErlangVersion)
	assert.Equal(t, ElixirVersionLabel, plan.LabelElixirVersion)
	assert.Equal(t, BaseContext, request.DefaultBaseContext)
	assert.Equal(t, ElixirContext, request.DefaultElixirContext)
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
