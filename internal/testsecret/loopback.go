package testsecret

import (
	"net/netip"
	"strconv"
	"strings"
)

// loopbackNames are the host names that Debian's /etc/hosts and most
// resolvers map to the loopback interface, in lower case.
var loopbackNames = map[string]bool{
	"localhost":             true,
	"localhost.localdomain": true,
	"ip6-localhost":         true,
	"ip6-loopback":          true,
}

// IsLoopback reports whether host names the loopback interface. The names
// are localhost, localhost.localdomain, ip6-localhost and ip6-loopback, in
// any case and with or without a trailing dot. The addresses are those in
// 127.0.0.0/8, also in IPv4-mapped IPv6 form or in a short form that
// inet_aton accepts (such as 127.1), and the IPv6 address ::1 in any
// notation, with or without brackets or a zone.
func IsLoopback(host string) bool {
	name := strings.TrimSuffix(strings.ToLower(host), ".")
	if loopbackNames[name] {
		return true
	}

	literal := host
	if len(literal) >= 2 && literal[0] == '[' && literal[len(literal)-1] == ']' {
		literal = literal[1 : len(literal)-1]
	}
	if addr, err := netip.ParseAddr(literal); err == nil {
		return addr.Unmap().IsLoopback()
	}

	addr, ok := parseInetAton(host)
	return ok && addr>>24 == 127
}

// parseInetAton parses an IPv4 address the way the C library's inet_aton
// does: one to four dot-separated parts, each decimal, octal (leading 0) or
// hexadecimal (leading 0x), where the last part fills the remaining bytes.
// Resolvers built on the C library accept these forms, so "127.1" reaches
// the loopback interface just like "127.0.0.1".
func parseInetAton(host string) (uint32, bool) {
	parts := strings.Split(host, ".")
	if len(parts) > 4 {
		return 0, false
	}

	values := make([]uint64, len(parts))
	for i, part := range parts {
		value, ok := parseInetAtonPart(part)
		if !ok {
			return 0, false
		}
		values[i] = value
	}

	// Every part but the last is one byte, and the last part must fit the
	// bytes that are left.
	var addr uint64
	for i, value := range values[:len(values)-1] {
		if value > 0xff {
			return 0, false
		}
		addr |= value << (8 * (3 - i))
	}
	last := values[len(values)-1]
	if last >= 1<<(8*(5-len(values))) {
		return 0, false
	}
	return uint32(addr | last), true
}

func parseInetAtonPart(part string) (uint64, bool) {
	base := 10
	digits := part
	switch {
	case strings.HasPrefix(part, "0x") || strings.HasPrefix(part, "0X"):
		base, digits = 16, part[2:]
	case len(part) > 1 && part[0] == '0':
		base, digits = 8, part[1:]
	}
	if digits == "" {
		return 0, false
	}
	// strconv.ParseUint alone would also accept underscores.
	for _, c := range digits {
		if digitValue(c) >= base {
			return 0, false
		}
	}
	value, err := strconv.ParseUint(digits, base, 32)
	return value, err == nil
}

// digitValue returns the value of a hexadecimal digit, or 16 for any other
// character.
func digitValue(c rune) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return 16
}
