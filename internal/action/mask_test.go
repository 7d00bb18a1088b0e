package action

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// maskedValues returns the values of the ::add-mask:: lines at the start of
// stdout, unescaped as the runner does, and the lines after them.
func maskedValues(t *testing.T, stdout string) (masks []string, rest []string) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	i := 0
	for ; i < len(lines) && strings.HasPrefix(lines[i], "::add-mask::"); i++ {
		value := strings.TrimPrefix(lines[i], "::add-mask::")
		value = strings.NewReplacer("%0D", "\r", "%0A", "\n", "%25", "%").Replace(value)
		masks = append(masks, value)
	}
	return masks, lines[i:]
}

// TestRunMasksSecretFirst checks that the masks of the test secret are the
// first lines of the output and cover the whole value, each line and each
// JSON string value.
func TestRunMasksSecretFirst(t *testing.T) {
	gearWorkspace(t)
	// The password contains a JSON escape, so its decoded and written forms
	// differ, and a percent sign, which workflow commands escape.
	secret := "{\r\n" +
		"  \"db\": {\r\n" +
		"    \"hostname\": \"db.internal\",\r\n" +
		"    \"username\": \"gear_user\",\r\n" +
		"    \"password\": \"p%ss\\\"w0rd-4417\",\r\n" +
		"    \"database\": \"gear_test\",\r\n" +
		"    \"ssl\": false\r\n" +
		"  },\r\n" +
		"  \"api_token_key\": \"token-key-9120\"\r\n" +
		"}\r\n"
	inputs := validProdInputs(secret)
	// An invalid input stops the run before the engine is needed.
	inputs["mix_env"] = "test"

	run := runAction(t, newFakeEngine().connect, inputs, map[string]string{"SSH_AUTH_SOCK": sshAgent(t)})
	require.Equal(t, ExitFailure, run.status)

	masks, rest := maskedValues(t, run.stdout)
	require.NotEmpty(t, rest, "nothing was printed after the masks")
	for _, line := range rest {
		assert.NotContains(t, line, "::add-mask::", "a mask comes after other output")
	}

	t.Run("whole value", func(t *testing.T) {
		assert.Contains(t, masks, strings.TrimSpace(secret))
	})

	t.Run("each line", func(t *testing.T) {
		for _, line := range []string{
			`"db": {`,
			`"hostname": "db.internal",`,
			`"username": "gear_user",`,
			`"password": "p%ss\"w0rd-4417",`,
			`"database": "gear_test",`,
			`"ssl": false`,
			`"api_token_key": "token-key-9120"`,
		} {
			assert.Contains(t, masks, line)
		}
	})

	t.Run("each string value", func(t *testing.T) {
		for _, value := range []string{"db.internal", "gear_user", `p%ss"w0rd-4417`, `p%ss\"w0rd-4417`, "gear_test", "token-key-9120"} {
			assert.Contains(t, masks, value)
		}
	})

	t.Run("no punctuation only masks", func(t *testing.T) {
		for _, mask := range masks {
			assert.NotEqual(t, "", strings.Trim(mask, "{}[],:\" \t\r\n"), "mask %q would hide punctuation everywhere", mask)
		}
	})

	t.Run("no secret after the masks", func(t *testing.T) {
		for _, line := range rest {
			assert.NotContains(t, line, "w0rd-4417")
			assert.NotContains(t, line, "token-key-9120")
		}
	})
}

// TestRunMasksUnparsableSecret gives a secret that is not JSON and expects
// the whole value and each line masked before the problem is reported.
func TestRunMasksUnparsableSecret(t *testing.T) {
	gearWorkspace(t)
	secret := "db_password=hunter2-not-json\nsecond line 5521\n"
	inputs := validProdInputs(secret)

	run := runAction(t, newFakeEngine().connect, inputs, map[string]string{"SSH_AUTH_SOCK": sshAgent(t)})
	require.Equal(t, ExitFailure, run.status)

	masks, rest := maskedValues(t, run.stdout)
	assert.Contains(t, masks, strings.TrimSpace(secret))
	assert.Contains(t, masks, "db_password=hunter2-not-json")
	assert.Contains(t, masks, "second line 5521")
	assert.Contains(t, strings.Join(rest, "\n"), "::error title=Invalid input test_secret::")
	for _, line := range rest {
		assert.NotContains(t, line, "hunter2")
		assert.NotContains(t, line, "5521")
	}
}

// TestRunWithoutSecretMasksNothing expects no mask when test_secret is
// empty, so the log starts with the run itself.
func TestRunWithoutSecretMasksNothing(t *testing.T) {
	gearWorkspace(t)
	inputs := map[string]string{"target": "gear", "mix_env": "test"}

	run := runAction(t, newFakeEngine().connect, inputs, nil)
	assert.Equal(t, ExitFailure, run.status)
	assert.NotContains(t, run.stdout, "::add-mask::")
}

// TestSecretMasksKeepsRewrittenHostVisible expects no mask for the host
// name that replaces a loopback db.hostname, and masks for the rest.
func TestSecretMasksKeepsRewrittenHostVisible(t *testing.T) {
	masks := secretMasks(`{"db": {"hostname": "127.0.0.1", "password": "pw-5512"}}`)
	assert.NotContains(t, masks, "host.docker.internal")
	assert.Contains(t, masks, "pw-5512")

	masks = secretMasks(`{"db": {"hostname": "host.docker.internal", "password": "pw-5512"}}`)
	assert.Contains(t, masks, "host.docker.internal", "a host name written in the secret is masked")
}

func TestSecretMasksSkipsBlankAndPunctuation(t *testing.T) {
	masks := secretMasks("{\n\n  [\n  \"\",\n  ],\n   \n}")
	assert.Equal(t, []string{"{\n\n  [\n  \"\",\n  ],\n   \n}"}, masks)
	assert.Empty(t, secretMasks("   \n\t"))
	assert.Empty(t, secretMasks(""))
}

func TestSecretMasksListsEachOnce(t *testing.T) {
	masks := secretMasks(`{"db": {"hostname": "same", "username": "same"}}`)
	seen := map[string]int{}
	for _, m := range masks {
		seen[m]++
	}
	for m, n := range seen {
		assert.Equal(t, 1, n, "mask %q", m)
	}
	assert.Contains(t, masks, "same")
	assert.Contains(t, masks, `{"db": {"hostname": "same", "username": "same"}}`)
}
