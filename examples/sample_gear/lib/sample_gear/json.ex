defmodule SampleGear.JSON do
  @moduledoc """
  A JSON decoder (RFC 8259) for the config files of the gear.

  Neither Elixir 1.14 nor Erlang/OTP 25 ships a JSON module, and the gear has
  no dependencies, so it decodes JSON itself. Objects become maps with string
  keys, arrays become lists, numbers become integers or floats, and `true`,
  `false` and `null` become `true`, `false` and `nil`. When an object repeats
  a key, the last value wins.

  Error messages give the byte offset of the problem but never quote the
  input, because the decoded documents contain passwords.
  """

  @whitespace [?\s, ?\t, ?\n, ?\r]

  defguardp is_hex_digit(char) when char in ?0..?9 or char in ?a..?f or char in ?A..?F

  @doc """
  Decodes one JSON value from `text`.

  Returns `{:ok, value}`, or `{:error, message}` when `text` is not valid
  JSON or holds anything but whitespace after the value.
  """
  @spec decode(binary()) :: {:ok, term()} | {:error, String.t()}
  def decode(text) when is_binary(text) do
    {rest, offset} = skip_whitespace(text, 0)
    {value, rest, offset} = parse_value(rest, offset)
    {rest, offset} = skip_whitespace(rest, offset)

    if rest == "" do
      {:ok, value}
    else
      syntax_error("unexpected data after the JSON value", offset)
    end
  catch
    {:json_syntax_error, message, offset} ->
      {:error, "#{message} at byte offset #{offset}"}
  end

  defp syntax_error(message, offset), do: throw({:json_syntax_error, message, offset})

  defp skip_whitespace(<<char, rest::binary>>, offset) when char in @whitespace,
    do: skip_whitespace(rest, offset + 1)

  defp skip_whitespace(rest, offset), do: {rest, offset}

  defp parse_value(<<?{, rest::binary>>, offset), do: parse_object(rest, offset + 1)
  defp parse_value(<<?[, rest::binary>>, offset), do: parse_array(rest, offset + 1)
  defp parse_value(<<?", rest::binary>>, offset), do: parse_string(rest, offset + 1, [])
  defp parse_value(<<"true", rest::binary>>, offset), do: {true, rest, offset + 4}
  defp parse_value(<<"false", rest::binary>>, offset), do: {false, rest, offset + 5}
  defp parse_value(<<"null", rest::binary>>, offset), do: {nil, rest, offset + 4}

  defp parse_value(<<char, _::binary>> = text, offset) when char == ?- or char in ?0..?9,
    do: parse_number(text, offset)

  defp parse_value("", offset), do: syntax_error("unexpected end of input", offset)
  defp parse_value(_text, offset), do: syntax_error("unexpected character", offset)

  # Objects

  defp parse_object(text, offset) do
    {rest, offset} = skip_whitespace(text, offset)

    case rest do
      <<?}, rest::binary>> -> {%{}, rest, offset + 1}
      _ -> parse_members(rest, offset, %{})
    end
  end

  defp parse_members(<<?", rest::binary>>, offset, members) do
    {key, rest, offset} = parse_string(rest, offset + 1, [])
    {rest, offset} = skip_whitespace(rest, offset)
    {rest, offset} = expect_colon(rest, offset)
    {rest, offset} = skip_whitespace(rest, offset)
    {value, rest, offset} = parse_value(rest, offset)
    members = Map.put(members, key, value)
    {rest, offset} = skip_whitespace(rest, offset)

    case rest do
      <<?,, rest::binary>> ->
        {rest, offset} = skip_whitespace(rest, offset + 1)
        parse_members(rest, offset, members)

      <<?}, rest::binary>> ->
        {members, rest, offset + 1}

      "" ->
        syntax_error("unexpected end of input in an object", offset)

      _ ->
        syntax_error("expected ',' or '}' in an object", offset)
    end
  end

  defp parse_members("", offset, _members),
    do: syntax_error("unexpected end of input in an object", offset)

  defp parse_members(_text, offset, _members),
    do: syntax_error("expected a string as object key", offset)

  defp expect_colon(<<?:, rest::binary>>, offset), do: {rest, offset + 1}
  defp expect_colon(_text, offset), do: syntax_error("expected ':' after an object key", offset)

  # Arrays

  defp parse_array(text, offset) do
    {rest, offset} = skip_whitespace(text, offset)

    case rest do
      <<?], rest::binary>> -> {[], rest, offset + 1}
      _ -> parse_elements(rest, offset, [])
    end
  end

  defp parse_elements(text, offset, elements) do
    {value, rest, offset} = parse_value(text, offset)
    elements = [value | elements]
    {rest, offset} = skip_whitespace(rest, offset)

    case rest do
      <<?,, rest::binary>> ->
        {rest, offset} = skip_whitespace(rest, offset + 1)
        parse_elements(rest, offset, elements)

      <<?], rest::binary>> ->
        {Enum.reverse(elements), rest, offset + 1}

      "" ->
        syntax_error("unexpected end of input in an array", offset)

      _ ->
        syntax_error("expected ',' or ']' in an array", offset)
    end
  end

  # Strings. `parts` collects the decoded text as reversed iodata.

  defp parse_string(<<?", rest::binary>>, offset, parts) do
    {parts |> Enum.reverse() |> IO.iodata_to_binary(), rest, offset + 1}
  end

  defp parse_string(<<?\\, rest::binary>>, offset, parts) do
    {decoded, rest, offset} = parse_escape(rest, offset + 1)
    parse_string(rest, offset, [decoded | parts])
  end

  defp parse_string(<<char, _::binary>>, offset, _parts) when char < 0x20,
    do: syntax_error("unescaped control character in a string", offset)

  defp parse_string(<<char::utf8, rest::binary>>, offset, parts) do
    parse_string(rest, offset + byte_size(<<char::utf8>>), [<<char::utf8>> | parts])
  end

  defp parse_string("", offset, _parts),
    do: syntax_error("unexpected end of input in a string", offset)

  defp parse_string(_text, offset, _parts),
    do: syntax_error("invalid UTF-8 in a string", offset)

  defp parse_escape(<<?", rest::binary>>, offset), do: {"\"", rest, offset + 1}
  defp parse_escape(<<?\\, rest::binary>>, offset), do: {"\\", rest, offset + 1}
  defp parse_escape(<<?/, rest::binary>>, offset), do: {"/", rest, offset + 1}
  defp parse_escape(<<?b, rest::binary>>, offset), do: {"\b", rest, offset + 1}
  defp parse_escape(<<?f, rest::binary>>, offset), do: {"\f", rest, offset + 1}
  defp parse_escape(<<?n, rest::binary>>, offset), do: {"\n", rest, offset + 1}
  defp parse_escape(<<?r, rest::binary>>, offset), do: {"\r", rest, offset + 1}
  defp parse_escape(<<?t, rest::binary>>, offset), do: {"\t", rest, offset + 1}

  defp parse_escape(<<?u, rest::binary>>, offset) do
    {code, rest, offset} = parse_hex4(rest, offset + 1)

    cond do
      code in 0xD800..0xDBFF -> parse_low_surrogate(code, rest, offset)
      code in 0xDC00..0xDFFF -> syntax_error("unpaired UTF-16 surrogate in \\u escape", offset)
      true -> {<<code::utf8>>, rest, offset}
    end
  end

  defp parse_escape(_text, offset), do: syntax_error("invalid escape in a string", offset)

  # A code point above U+FFFF is written as a UTF-16 surrogate pair of two
  # \u escapes, for example "\ud83d\ude00" for U+1F600.
  defp parse_low_surrogate(high, <<?\\, ?u, rest::binary>>, offset) do
    {low, rest, next_offset} = parse_hex4(rest, offset + 2)

    if low in 0xDC00..0xDFFF do
      code = 0x10000 + Bitwise.bsl(high - 0xD800, 10) + (low - 0xDC00)
      {<<code::utf8>>, rest, next_offset}
    else
      syntax_error("unpaired UTF-16 surrogate in \\u escape", offset)
    end
  end

  defp parse_low_surrogate(_high, _text, offset),
    do: syntax_error("unpaired UTF-16 surrogate in \\u escape", offset)

  defp parse_hex4(<<a, b, c, d, rest::binary>>, offset)
       when is_hex_digit(a) and is_hex_digit(b) and is_hex_digit(c) and is_hex_digit(d) do
    {String.to_integer(<<a, b, c, d>>, 16), rest, offset + 4}
  end

  defp parse_hex4(_text, offset), do: syntax_error("expected 4 hex digits in \\u escape", offset)

  # Numbers: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?

  defp parse_number(text, offset) do
    {sign, rest} = take_sign(text)
    {integer, rest} = take_integer_part(rest, offset + byte_size(sign))
    {fraction, rest} = take_fraction(rest, offset + byte_size(sign) + byte_size(integer))
    length_so_far = byte_size(sign) + byte_size(integer) + byte_size(fraction)
    {exponent, rest} = take_exponent(rest, offset + length_so_far)
    length = length_so_far + byte_size(exponent)

    value =
      if fraction == "" and exponent == "" do
        String.to_integer(sign <> integer)
      else
        to_float(sign <> integer, fraction, exponent, offset)
      end

    {value, rest, offset + length}
  end

  defp take_sign(<<?-, rest::binary>>), do: {"-", rest}
  defp take_sign(text), do: {"", text}

  defp take_integer_part(<<?0, rest::binary>>, _offset), do: {"0", rest}

  defp take_integer_part(<<char, _::binary>> = text, _offset) when char in ?1..?9,
    do: take_digits(text)

  defp take_integer_part(_text, offset), do: syntax_error("expected a digit in a number", offset)

  defp take_fraction(<<?., rest::binary>>, offset) do
    case take_digits(rest) do
      {"", _rest} -> syntax_error("expected a digit after '.' in a number", offset + 1)
      {digits, rest} -> {"." <> digits, rest}
    end
  end

  defp take_fraction(text, _offset), do: {"", text}

  defp take_exponent(<<marker, rest::binary>>, offset) when marker in [?e, ?E] do
    {sign, rest} =
      case rest do
        <<sign, rest::binary>> when sign in [?+, ?-] -> {<<sign>>, rest}
        _ -> {"", rest}
      end

    case take_digits(rest) do
      {"", _rest} -> syntax_error("expected a digit in the exponent of a number", offset + 1)
      {digits, rest} -> {"e" <> sign <> digits, rest}
    end
  end

  defp take_exponent(text, _offset), do: {"", text}

  defp take_digits(text), do: take_digits(text, 0, text)

  defp take_digits(<<char, rest::binary>>, count, original) when char in ?0..?9,
    do: take_digits(rest, count + 1, original)

  defp take_digits(rest, count, original), do: {binary_part(original, 0, count), rest}

  # Erlang's binary_to_float/1 requires a fraction, so "1e3" becomes "1.0e3".
  defp to_float(integer, fraction, exponent, offset) do
    fraction = if fraction == "", do: ".0", else: fraction

    try do
      :erlang.binary_to_float(integer <> fraction <> exponent)
    rescue
      ArgumentError -> syntax_error("number out of range", offset)
    end
  end
end
