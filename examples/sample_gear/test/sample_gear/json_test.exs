defmodule SampleGear.JSONTest do
  use ExUnit.Case, async: true

  alias SampleGear.JSON

  describe "decode/1 accepts" do
    test "literals" do
      assert JSON.decode("true") == {:ok, true}
      assert JSON.decode("false") == {:ok, false}
      assert JSON.decode("null") == {:ok, nil}
    end

    test "integers" do
      assert JSON.decode("0") == {:ok, 0}
      assert JSON.decode("-12") == {:ok, -12}
      assert JSON.decode("5432") == {:ok, 5432}

      assert JSON.decode("123456789012345678901234567890") ==
               {:ok, 123_456_789_012_345_678_901_234_567_890}
    end

    test "floats with fraction and exponent" do
      assert JSON.decode("1.5") == {:ok, 1.5}
      assert JSON.decode("-0.25") == {:ok, -0.25}
      assert JSON.decode("1e3") == {:ok, 1.0e3}
      assert JSON.decode("2.5E-2") == {:ok, 0.025}
      assert JSON.decode("1e+2") == {:ok, 100.0}
    end

    test "strings with escapes" do
      assert JSON.decode(~S("plain")) == {:ok, "plain"}
      assert JSON.decode(~S("")) == {:ok, ""}
      assert JSON.decode(~S("a\"b\\c\/d")) == {:ok, "a\"b\\c/d"}
      assert JSON.decode(~S("\b\f\n\r\t")) == {:ok, "\b\f\n\r\t"}
      assert JSON.decode(~S("\u00e9\u6771")) == {:ok, "é東"}
      assert JSON.decode(~S("\ud83d\ude00")) == {:ok, "😀"}
    end

    test "raw UTF-8 in strings" do
      assert JSON.decode(~s("東京 é 😀")) == {:ok, "東京 é 😀"}
    end

    test "arrays" do
      assert JSON.decode("[]") == {:ok, []}
      assert JSON.decode("[ ]") == {:ok, []}
      assert JSON.decode("[1, \"two\", [3], {}]") == {:ok, [1, "two", [3], %{}]}
    end

    test "objects, with the last of repeated keys winning" do
      assert JSON.decode("{}") == {:ok, %{}}

      assert JSON.decode(~S({"a": 1, "b": {"c": [true]}})) ==
               {:ok, %{"a" => 1, "b" => %{"c" => [true]}}}

      assert JSON.decode(~S({"a": 1, "a": 2})) == {:ok, %{"a" => 2}}
    end

    test "whitespace around tokens" do
      assert JSON.decode(" \t\r\n{ \"a\" :\n[ 1 , 2 ] } \n") == {:ok, %{"a" => [1, 2]}}
    end

    test "a gear config" do
      config = """
      {
        "db": {
          "hostname": "localhost",
          "username": "postgres",
          "password": "p\\"w",
          "database": "raise_server_test",
          "ssl": false
        },
        "api_token_key": "key"
      }
      """

      assert {:ok, decoded} = JSON.decode(config)
      assert decoded["db"]["hostname"] == "localhost"
      assert decoded["db"]["password"] == "p\"w"
      assert decoded["db"]["ssl"] == false
      assert decoded["api_token_key"] == "key"
    end
  end

  describe "decode/1 rejects" do
    test "empty input" do
      assert JSON.decode("") == {:error, "unexpected end of input at byte offset 0"}
      assert JSON.decode("   ") == {:error, "unexpected end of input at byte offset 3"}
    end

    test "data after the value" do
      assert JSON.decode("{} x") ==
               {:error, "unexpected data after the JSON value at byte offset 3"}

      assert {:error, _} = JSON.decode("1 2")
    end

    test "malformed numbers" do
      for text <- ["01", "-", "1.", ".5", "1e", "1e+", "+1", "- 1", "0x10"] do
        assert {:error, _} = JSON.decode(text), "expected #{inspect(text)} to be rejected"
      end
    end

    test "numbers out of float range" do
      assert {:error, "number out of range at byte offset 0"} = JSON.decode("1e999")
    end

    test "malformed literals" do
      for text <- ["tru", "nul", "True", "NaN", "undefined"] do
        assert {:error, _} = JSON.decode(text), "expected #{inspect(text)} to be rejected"
      end
    end

    test "malformed strings" do
      for text <- [
            ~S("open),
            ~S("bad \x escape"),
            ~S("\u12"),
            ~S("\u12G4"),
            ~S("\u+123"),
            "\"tab\there\""
          ] do
        assert {:error, _} = JSON.decode(text), "expected #{inspect(text)} to be rejected"
      end
    end

    test "unpaired surrogates" do
      assert {:error, _} = JSON.decode(~S("\ud83d"))
      assert {:error, _} = JSON.decode(~S("\ud83dx"))
      assert {:error, _} = JSON.decode(~S("\ude00"))
      assert {:error, _} = JSON.decode(~S("\ud83d\u0041"))
    end

    test "invalid UTF-8" do
      assert {:error, "invalid UTF-8 in a string at byte offset 1"} =
               JSON.decode(<<?", 0xFF, ?">>)
    end

    test "malformed arrays and objects" do
      for text <- [
            "[1,]",
            "[1 2]",
            "[",
            "{",
            "{\"a\"}",
            "{\"a\" 1}",
            "{a: 1}",
            "{\"a\": 1,}",
            "{\"a\": 1",
            "{1: 2}"
          ] do
        assert {:error, _} = JSON.decode(text), "expected #{inspect(text)} to be rejected"
      end
    end

    test "without quoting the input in the message" do
      {:error, message} = JSON.decode(~S({"password": "hunter2" oops}))
      refute message =~ "hunter2"
      refute message =~ "oops"
      assert message == "expected ',' or '}' in an object at byte offset 23"
    end
  end
end
