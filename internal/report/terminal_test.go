package report

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/antikythera-gear/gearimage/internal/pipeline"
	"github.com/antikythera-gear/gearimage/internal/plan"
	"github.com/antikythera-gear/gearimage/internal/request"
)

func noEnv(string) string { return "" }

func TestTerminalPlainWhenNotATerminal(t *testing.T) {
	var out bytes.Buffer
	term := NewTerminal(&out, request.EnvNamer, noEnv)
	step := plan.Step{Image: request.TargetGear, Spec: request.Image{Tags: []string{"gear:1", "gear:latest"}, Context: ".", Dockerfile: "Dockerfile"}}

	term.Started(step)
	term.Note(step, "reusing _build and deps from gear:0")
	term.Finished(step, pipeline.Result{Image: request.TargetGear, Tags: step.Spec.Tags, ImageID: "sha256:0123456789abcdef0123", Size: 123_456_789, Duration: 83 * time.Second})
	term.Failed(step, errors.New("exit code 1"), 1500*time.Millisecond)

	assert.Equal(t, "==> gear: building gear:1, gear:latest from Dockerfile (context .)\n"+
		"    gear: reusing _build and deps from gear:0\n"+
		"==> gear: built in 1m23s: 0123456789ab (gear:1, gear:latest, 123MB)\n"+
		"==> gear: failed after 1.5s\n"+
		"    exit code 1\n", out.String())
	assert.NotContains(t, out.String(), "\x1b[")
}

func TestTerminalInvalidListsEveryProblem(t *testing.T) {
	var out bytes.Buffer
	term := NewTerminal(&out, request.EnvNamer, noEnv)
	term.Invalid(request.Problems{
		{Key: request.KeyMixEnv, Value: "test", Message: "must be dev or prod", Fix: "set it to dev or prod"},
		{Key: request.KeyAntikytheraCompileEnv, Message: "missing; it is required when {mix_env} is prod"},
	})
	assert.Equal(t, "2 problems found; nothing was built or tagged:\n"+
		"  - MIX_ENV=\"test\": must be dev or prod; set it to dev or prod\n"+
		"  - ANTIKYTHERA_COMPILE_ENV: missing; it is required when MIX_ENV is prod\n", out.String())
}

func TestFormatSize(t *testing.T) {
	for n, want := range map[int64]string{0: "0B", 999: "999B", 1000: "1kB", 1_530_000: "1.53MB", 7_200_000_000: "7.2GB"} {
		assert.Equal(t, want, FormatSize(n), n)
	}
}

func TestShortID(t *testing.T) {
	assert.Equal(t, "0123456789ab", ShortID("sha256:0123456789abcdef"))
	assert.Equal(t, "abc", ShortID("abc"))
}
