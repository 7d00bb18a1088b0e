package action

import (
	"strings"

	"github.com/sethvargo/go-githubactions"

	"github.com/antikythera-gear/gearimage/internal/request"
	"github.com/antikythera-gear/gearimage/internal/testsecret"
)

// inputEnvName returns the variable that carries input k, as
// githubactions.GetInput reads it: INPUT_ and the name in upper case.
func inputEnvName(k request.Key) string {
	return "INPUT_" + strings.ToUpper(string(k))
}

// maskTestSecret writes an ::add-mask:: command for every form of the
// test_secret input that a log could show. The runner masks a value only in
// lines printed after its command, so this runs before anything else is
// printed.
func maskTestSecret(gh *githubactions.Action) {
	for _, value := range secretMasks(gh.Getenv(inputEnvName(request.KeyTestSecret))) {
		// ::add-mask::<value>
		gh.AddMask(value)
	}
}

// secretMasks returns the strings to mask for the content of a test secret.
// They are the whole value, also trimmed of surrounding whitespace, and each
// of its lines. When the value parses as a test config, they also include
// every string value that testsecret.Values returns.
//
// Blank strings are left out. So are lines made only of JSON punctuation
// such as "{", "}," or "",", because masking those would hide every brace and
// comma of the log while hiding no secret. host.docker.internal is left out
// when the tool wrote it in place of a loopback db.hostname, because then it
// comes from the tool, not from the secret. Each string appears once.
func secretMasks(raw string) []string {
	var masks []string
	seen := map[string]bool{}
	add := func(value string) {
		if strings.TrimSpace(value) == "" || seen[value] {
			return
		}
		seen[value] = true
		masks = append(masks, value)
	}

	add(raw)
	add(strings.TrimSpace(raw))
	for _, line := range strings.Split(raw, "\n") {
		line = strings.TrimSpace(line)
		if onlyJSONPunctuation(line) {
			continue
		}
		add(line)
	}

	// A value that does not parse is still masked whole and line by line
	// above. Parse rejects documents larger than testsecret.MaxSize, and
	// preflight rejects them too, so nothing is built with one.
	if secret, err := testsecret.Parse([]byte(raw)); err == nil {
		for _, value := range secret.Values() {
			if secret.Rewritten() && value == testsecret.HostDockerInternal {
				continue
			}
			add(value)
		}
	}
	return masks
}

func onlyJSONPunctuation(s string) bool {
	return strings.Trim(s, "{}[],:\" \t\r") == ""
}
