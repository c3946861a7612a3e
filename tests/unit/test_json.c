#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "gmfetch/json.h"

/* Every expected value in this file was produced by go 1.19 itself: a throwaway program
 * (not committed) that runs json.Unmarshal into a copy of cmd/go's RevInfo and
 * codehost.Origin types (declared in packages named modfetch and codehost so that type
 * names in errors match), applies writeDiskStat's Origin cleaning and json.Marshal, and for
 * the other tables json.Marshal(string) and json.MarshalIndent(moduleJSON, "", "\t").
 * The cached form of one .info was also checked against a real `go mod download` from a
 * file:// proxy: {"Version":"v1.1.0","Time":"2020-01-02T03:04:05.000Z","Origin":{...}}
 * was cached as {"Version":"v1.1.0","Time":"2020-01-02T03:04:05Z","Origin":{...}} without
 * TagPrefix/TagSum. */

struct info_vec {
    const char *in;
    const char *version; /* NULL: expect an error */
    const char *out;     /* cached form, or the error text */
};

static const struct info_vec info_vecs[] = {
    {"{\"Version\":\"v1.0.0\",\"Time\":\"2020-01-02T03:04:05Z\"}", "v1.0.0",
     "{\"Version\":\"v1.0.0\",\"Time\":\"2020-01-02T03:04:05Z\"}"},
    {"{\"Version\":\"v1.0.0\",\"Time\":\"2020-01-02T03:04:05.120000000+01:00\"}", "v1.0.0",
     "{\"Version\":\"v1.0.0\",\"Time\":\"2020-01-02T03:04:05.12+01:00\"}"},
    {"  {\"Time\" : \"2019-12-31T23:59:59.999999999-07:30\", \"Version\": \"v2.3.4-pre.1\"}  ",
     "v2.3.4-pre.1",
     "{\"Version\":\"v2.3.4-pre.1\",\"Time\":\"2019-12-31T23:59:59.999999999-07:30\"}"},
    {"{\"Version\":\"v1.0.0\",\"Time\":\"2020-01-02T03:04:05.000Z\"}", "v1.0.0",
     "{\"Version\":\"v1.0.0\",\"Time\":\"2020-01-02T03:04:05Z\"}"},
    {"{\"Version\":\"v1.0.0\",\"Time\":\"2020-01-02T03:04:05+00:00\"}", "v1.0.0",
     "{\"Version\":\"v1.0.0\",\"Time\":\"2020-01-02T03:04:05Z\"}"},
    {"{\"Version\":\"v1.0.0\",\"Time\":\"2020-01-02T03:04:05-00:00\"}", "v1.0.0",
     "{\"Version\":\"v1.0.0\",\"Time\":\"2020-01-02T03:04:05Z\"}"},
    {"{\"Version\":\"v1.0.0\",\"Time\":\"2020-01-02T03:04:05,5Z\"}", "v1.0.0",
     "{\"Version\":\"v1.0.0\",\"Time\":\"2020-01-02T03:04:05.5Z\"}"},
    {"{\"Version\":\"v1.0.0\",\"Time\":\"2020-01-02T03:04:05.1234567891234Z\"}", "v1.0.0",
     "{\"Version\":\"v1.0.0\",\"Time\":\"2020-01-02T03:04:05.123456789Z\"}"},
    {"{\"Version\":\"v1.0.0\",\"Time\":\"2020-01-02T3:04:05Z\"}", "v1.0.0",
     "{\"Version\":\"v1.0.0\",\"Time\":\"2020-01-02T03:04:05Z\"}"},
    {"{\"Version\":\"v1.0.0\",\"Time\":\"2020-01-02T03:04:05+99:99\"}", "v1.0.0",
     "{\"Version\":\"v1.0.0\",\"Time\":\"2020-01-02T03:04:05+100:39\"}"},
    {"{\"Version\":\"v1.0.0\",\"Time\":\"2020-01-02T03:04:05+-1:30\"}", "v1.0.0",
     "{\"Version\":\"v1.0.0\",\"Time\":\"2020-01-02T03:04:05-00:30\"}"},
    {"{\"Version\":\"v1.0.0\"}", "v1.0.0",
     "{\"Version\":\"v1.0.0\",\"Time\":\"0001-01-01T00:00:00Z\"}"},
    {"{\"Version\":\"v1.0.0\",\"Time\":null}", "v1.0.0",
     "{\"Version\":\"v1.0.0\",\"Time\":\"0001-01-01T00:00:00Z\"}"},
    {"{\"Version\":\"v1.0.0\",\"Time\":\"2020-01-02T03:04:05Z\",\"Time\":null}", "v1.0.0",
     "{\"Version\":\"v1.0.0\",\"Time\":\"2020-01-02T03:04:05Z\"}"},
    {"{\"Version\":\"v1.0.0\",\"Time\":\"2020-01-02T03:04:05Z\",\"Time\":\"2021-01-02T03:04:05Z\"}",
     "v1.0.0", "{\"Version\":\"v1.0.0\",\"Time\":\"2021-01-02T03:04:05Z\"}"},
    {"{\"version\":\"v1.0.0\",\"TIME\":\"2020-01-02T03:04:05Z\",\"origin\":{\"vcs\":\"git\"}}",
     "v1.0.0",
     "{\"Version\":\"v1.0.0\",\"Time\":\"2020-01-02T03:04:05Z\",\"Origin\":{\"VCS\":\"git\"}}"},
    {"{\"Ver\\u017fion\":\"v1.0.0\",\"Time\":\"2020-01-02T03:04:05Z\"}", "v1.0.0",
     "{\"Version\":\"v1.0.0\",\"Time\":\"2020-01-02T03:04:05Z\"}"},
    {"{\"Version\":\"v1.0.0\",\"Time\":\"2020-01-02T03:04:05Z\",\"Extra\":{\"a\":[1,2,{\"b\":null}]"
     "},\"Name\":\"x\",\"Short\":\"y\"}",
     "v1.0.0", "{\"Version\":\"v1.0.0\",\"Time\":\"2020-01-02T03:04:05Z\"}"},
    {"{\"Version\":\"v1.0.0\",\"Time\":\"2020-01-02T03:04:05Z\",\"Origin\":{\"VCS\":\"git\","
     "\"URL\":\"https://x/<y>&\",\"Subdir\":\"s\",\"TagPrefix\":\"p/"
     "\",\"TagSum\":\"t1:x\",\"Ref\":\"refs/tags/"
     "v1.0.0\",\"Hash\":\"abc\",\"RepoSum\":\"r1:z\",\"Junk\":1}}",
     "v1.0.0",
     "{\"Version\":\"v1.0.0\",\"Time\":\"2020-01-02T03:04:05Z\",\"Origin\":{\"VCS\":\"git\","
     "\"URL\":\"https://x/\\u003cy\\u003e\\u0026\",\"Subdir\":\"s\",\"Ref\":\"refs/tags/"
     "v1.0.0\",\"Hash\":\"abc\",\"RepoSum\":\"r1:z\"}}"},
    {"{\"Version\":\"v0.0.0-20200102030405-abcdefabcdef\",\"Time\":\"2020-01-02T03:04:05Z\","
     "\"Origin\":{\"VCS\":\"git\",\"Ref\":\"refs/heads/main\",\"Hash\":\"abc\"}}",
     "v0.0.0-20200102030405-abcdefabcdef",
     "{\"Version\":\"v0.0.0-20200102030405-abcdefabcdef\",\"Time\":\"2020-01-02T03:04:05Z\","
     "\"Origin\":{\"VCS\":\"git\",\"Hash\":\"abc\"}}"},
    {"{\"Version\":\"v1.0.0\",\"Time\":\"2020-01-02T03:04:05Z\",\"Origin\":{\"TagSum\":\"t1:x\"}}",
     "v1.0.0", "{\"Version\":\"v1.0.0\",\"Time\":\"2020-01-02T03:04:05Z\",\"Origin\":{}}"},
    {"{\"Version\":\"v1.0.0\",\"Time\":\"2020-01-02T03:04:05Z\",\"Origin\":{}}", "v1.0.0",
     "{\"Version\":\"v1.0.0\",\"Time\":\"2020-01-02T03:04:05Z\",\"Origin\":{}}"},
    {"{\"Version\":\"v1.0.0\",\"Time\":\"2020-01-02T03:04:05Z\",\"Origin\":null}", "v1.0.0",
     "{\"Version\":\"v1.0.0\",\"Time\":\"2020-01-02T03:04:05Z\"}"},
    {"{\"Version\":\"v1.0.0\",\"Origin\":{\"VCS\":\"git\"},\"Origin\":{\"URL\":\"u\"}}", "v1.0.0",
     "{\"Version\":\"v1.0.0\",\"Time\":\"0001-01-01T00:00:00Z\",\"Origin\":{\"VCS\":\"git\","
     "\"URL\":\"u\"}}"},
    {"{\"Version\":\"v1.0.0\",\"Origin\":{\"VCS\":\"git\"},\"Origin\":null}", "v1.0.0",
     "{\"Version\":\"v1.0.0\",\"Time\":\"0001-01-01T00:00:00Z\"}"},
    {"{\"Version\":\"v1.0.0\",\"Version\":null}", "v1.0.0",
     "{\"Version\":\"v1.0.0\",\"Time\":\"0001-01-01T00:00:00Z\"}"},
    {"{\"Version\":\"v1.\\u0030.0\\/x \\ud83d\\ude00 \\ud800 \\udc00x \\ud800\\u0041 \\u2028 "
     "\\t\"}",
     "v1.0.0/x \360\237\230\200 \357\277\275 \357\277\275x \357\277\275A \342\200\250 \t",
     "{\"Version\":\"v1.0.0/x \360\237\230\200 \357\277\275 \357\277\275x \357\277\275A \\u2028 "
     "\\t\",\"Time\":\"0001-01-01T00:00:00Z\"}"},
    {"{\"Version\":\"bad\377\"}", "bad\357\277\275",
     "{\"Version\":\"bad\357\277\275\",\"Time\":\"0001-01-01T00:00:00Z\"}"},
    {"null", "", "{\"Version\":\"\",\"Time\":\"0001-01-01T00:00:00Z\"}"},
    {"{}", "", "{\"Version\":\"\",\"Time\":\"0001-01-01T00:00:00Z\"}"},
    {"[]", NULL, "json: cannot unmarshal array into Go value of type modfetch.RevInfo"},
    {"\"x\"", NULL, "json: cannot unmarshal string into Go value of type modfetch.RevInfo"},
    {"1", NULL, "json: cannot unmarshal number into Go value of type modfetch.RevInfo"},
    {"true", NULL, "json: cannot unmarshal bool into Go value of type modfetch.RevInfo"},
    {"", NULL, "unexpected end of JSON input"},
    {"   ", NULL, "unexpected end of JSON input"},
    {"invalid", NULL, "invalid character 'i' looking for beginning of value"},
    {"{\"Version\":\"v1.0.0\"}x", NULL, "invalid character 'x' after top-level value"},
    {"{\"Version\":\"v1.0.0\"} {}", NULL, "invalid character '{' after top-level value"},
    {"{\"Version\":\"v1.0.0\",}", NULL,
     "invalid character '}' looking for beginning of object key string"},
    {"{\"Version\" \"v1.0.0\"}", NULL, "invalid character '\"' after object key"},
    {"{\"Version\":\"v1.0.0\" \"Time\":1}", NULL,
     "invalid character '\"' after object key:value pair"},
    {"{1:2}", NULL, "invalid character '1' looking for beginning of object key string"},
    {"{\"Version\":\"v1.0.0", NULL, "unexpected end of JSON input"},
    {"{\"Version\":\"v1.0.0\\q\"}", NULL, "invalid character 'q' in string escape code"},
    {"{\"Version\":\"\\u12G4\"}", NULL,
     "invalid character 'G' in \\u hexadecimal character escape"},
    {"{\"Version\":\"a\001b\"}", NULL, "invalid character '\\x01' in string literal"},
    {"{\"Version\":tru}", NULL, "invalid character '}' in literal true (expecting 'e')"},
    {"{\"Version\":trux}", NULL, "invalid character 'x' in literal true (expecting 'e')"},
    {"{\"Version\":fals}", NULL, "invalid character '}' in literal false (expecting 'e')"},
    {"{\"Version\":nul}", NULL, "invalid character '}' in literal null (expecting 'l')"},
    {"{\"Version\":nulL}", NULL, "invalid character 'L' in literal null (expecting 'l')"},
    {"{\"Version\":-}", NULL, "invalid character '}' in numeric literal"},
    {"{\"Version\":-a}", NULL, "invalid character 'a' in numeric literal"},
    {"{\"Version\":01}", NULL, "invalid character '1' after object key:value pair"},
    {"{\"Version\":1.}", NULL, "invalid character '}' after decimal point in numeric literal"},
    {"{\"Version\":1.x}", NULL, "invalid character 'x' after decimal point in numeric literal"},
    {"{\"Version\":1e}", NULL, "invalid character '}' in exponent of numeric literal"},
    {"{\"Version\":1e+}", NULL, "invalid character '}' in exponent of numeric literal"},
    {"{\"Version\":1E+x}", NULL, "invalid character 'x' in exponent of numeric literal"},
    {"[1,]", NULL, "invalid character ']' looking for beginning of value"},
    {"[1 2]", NULL, "invalid character '2' after array element"},
    {"{\"Version\":1}", NULL,
     "json: cannot unmarshal number into Go struct field RevInfo.Version of type string"},
    {"{\"Version\":true}", NULL,
     "json: cannot unmarshal bool into Go struct field RevInfo.Version of type string"},
    {"{\"Version\":[1]}", NULL,
     "json: cannot unmarshal array into Go struct field RevInfo.Version of type string"},
    {"{\"Version\":{}}", NULL,
     "json: cannot unmarshal object into Go struct field RevInfo.Version of type string"},
    {"{\"Version\":1.5e3,\"Time\":\"2020-01-02T03:04:05Z\"}", NULL,
     "json: cannot unmarshal number into Go struct field RevInfo.Version of type string"},
    {"{\"Version\":1,\"Time\":\"bad\"}", NULL,
     "parsing time \"\\\"bad\\\"\" as \"\\\"2006-01-02T15:04:05Z07:00\\\"\": cannot parse "
     "\"bad\\\"\" as \"2006\""},
    {"{\"Version\":\"v1\",\"Time\":1}", NULL,
     "parsing time \"1\" as \"\\\"2006-01-02T15:04:05Z07:00\\\"\": cannot parse \"1\" as \"\\\"\""},
    {"{\"Version\":\"v1\",\"Time\":true}", NULL,
     "parsing time \"true\" as \"\\\"2006-01-02T15:04:05Z07:00\\\"\": cannot parse \"true\" as "
     "\"\\\"\""},
    {"{\"Version\":\"v1\",\"Time\":{ \"a\" : 1 }}", NULL,
     "parsing time \"{ \\\"a\\\" : 1 }\" as \"\\\"2006-01-02T15:04:05Z07:00\\\"\": cannot parse "
     "\"{ \\\"a\\\" : 1 }\" as \"\\\"\""},
    {"{\"Version\":\"v1\",\"Time\":[]}", NULL,
     "parsing time \"[]\" as \"\\\"2006-01-02T15:04:05Z07:00\\\"\": cannot parse \"[]\" as "
     "\"\\\"\""},
    {"{\"Version\":\"v1\",\"Time\":\"\"}", NULL,
     "parsing time \"\\\"\\\"\" as \"\\\"2006-01-02T15:04:05Z07:00\\\"\": cannot parse \"\\\"\" as "
     "\"2006\""},
    {"{\"Version\":\"v1\",\"Time\":\"2020-13-02T03:04:05Z\"}", NULL,
     "parsing time \"\\\"2020-13-02T03:04:05Z\\\"\": month out of range"},
    {"{\"Version\":\"v1\",\"Time\":\"2020-00-02T03:04:05Z\"}", NULL,
     "parsing time \"\\\"2020-00-02T03:04:05Z\\\"\": month out of range"},
    {"{\"Version\":\"v1\",\"Time\":\"2021-02-29T03:04:05Z\"}", NULL,
     "parsing time \"\\\"2021-02-29T03:04:05Z\\\"\": day out of range"},
    {"{\"Version\":\"v1\",\"Time\":\"2020-02-29T03:04:05Z\"}", "v1",
     "{\"Version\":\"v1\",\"Time\":\"2020-02-29T03:04:05Z\"}"},
    {"{\"Version\":\"v1\",\"Time\":\"2020-01-32T03:04:05Z\"}", NULL,
     "parsing time \"\\\"2020-01-32T03:04:05Z\\\"\": day out of range"},
    {"{\"Version\":\"v1\",\"Time\":\"2020-01-00T03:04:05Z\"}", NULL,
     "parsing time \"\\\"2020-01-00T03:04:05Z\\\"\": day out of range"},
    {"{\"Version\":\"v1\",\"Time\":\"2020-01-02T24:04:05Z\"}", NULL,
     "parsing time \"\\\"2020-01-02T24:04:05Z\\\"\": hour out of range"},
    {"{\"Version\":\"v1\",\"Time\":\"2020-01-02T03:60:05Z\"}", NULL,
     "parsing time \"\\\"2020-01-02T03:60:05Z\\\"\": minute out of range"},
    {"{\"Version\":\"v1\",\"Time\":\"2020-01-02T03:04:60Z\"}", NULL,
     "parsing time \"\\\"2020-01-02T03:04:60Z\\\"\": second out of range"},
    {"{\"Version\":\"v1\",\"Time\":\"2020-01-02t03:04:05Z\"}", NULL,
     "parsing time \"\\\"2020-01-02t03:04:05Z\\\"\" as \"\\\"2006-01-02T15:04:05Z07:00\\\"\": "
     "cannot parse \"t03:04:05Z\\\"\" as \"T\""},
    {"{\"Version\":\"v1\",\"Time\":\"2020-01-02T03:04:05z\"}", NULL,
     "parsing time \"\\\"2020-01-02T03:04:05z\\\"\" as \"\\\"2006-01-02T15:04:05Z07:00\\\"\": "
     "cannot parse \"z\\\"\" as \"Z07:00\""},
    {"{\"Version\":\"v1\",\"Time\":\"2020-01-02T03:04:05\"}", NULL,
     "parsing time \"\\\"2020-01-02T03:04:05\\\"\" as \"\\\"2006-01-02T15:04:05Z07:00\\\"\": "
     "cannot parse \"\\\"\" as \"Z07:00\""},
    {"{\"Version\":\"v1\",\"Time\":\"2020-01-02T03:04:05+01\"}", NULL,
     "parsing time \"\\\"2020-01-02T03:04:05+01\\\"\" as \"\\\"2006-01-02T15:04:05Z07:00\\\"\": "
     "cannot parse \"+01\\\"\" as \"Z07:00\""},
    {"{\"Version\":\"v1\",\"Time\":\"2020-01-02T03:04:05+0100\"}", NULL,
     "parsing time \"\\\"2020-01-02T03:04:05+0100\\\"\" as \"\\\"2006-01-02T15:04:05Z07:00\\\"\": "
     "cannot parse \"+0100\\\"\" as \"Z07:00\""},
    {"{\"Version\":\"v1\",\"Time\":\"2020-01-02T03:04:05+0a:00\"}", NULL,
     "parsing time \"\\\"2020-01-02T03:04:05+0a:00\\\"\" as \"\\\"2006-01-02T15:04:05Z07:00\\\"\": "
     "cannot parse \"\\\"\" as \"Z07:00\""},
    {"{\"Version\":\"v1\",\"Time\":\"2020-01-02T03:04:05x01:00\"}", NULL,
     "parsing time \"\\\"2020-01-02T03:04:05x01:00\\\"\" as \"\\\"2006-01-02T15:04:05Z07:00\\\"\": "
     "cannot parse \"\\\"\" as \"Z07:00\""},
    {"{\"Version\":\"v1\",\"Time\":\"2020-01-02T03:04:05Zjunk\"}", NULL,
     "parsing time \"\\\"2020-01-02T03:04:05Zjunk\\\"\" as \"\\\"2006-01-02T15:04:05Z07:00\\\"\": "
     "cannot parse \"junk\\\"\" as \"\\\"\""},
    {"{\"Version\":\"v1\",\"Time\":\"2020-01-02T03:04:05Z\\\"x\"}", NULL,
     "parsing time \"\\\"2020-01-02T03:04:05Z\\\\\\\"x\\\"\" as "
     "\"\\\"2006-01-02T15:04:05Z07:00\\\"\": cannot parse \"\\\\\\\"x\\\"\" as \"\\\"\""},
    {"{\"Version\":\"v1\",\"Time\":\"20-01-02T03:04:05Z\"}", NULL,
     "parsing time \"\\\"20-01-02T03:04:05Z\\\"\" as \"\\\"2006-01-02T15:04:05Z07:00\\\"\": cannot "
     "parse \"1-02T03:04:05Z\\\"\" as \"2006\""},
    {"{\"Version\":\"v1\",\"Time\":\"2020-1-02T03:04:05Z\"}", NULL,
     "parsing time \"\\\"2020-1-02T03:04:05Z\\\"\" as \"\\\"2006-01-02T15:04:05Z07:00\\\"\": "
     "cannot parse \"1-02T03:04:05Z\\\"\" as \"01\""},
    {"{\"Version\":\"v1\",\"Time\":\"2020-01-02T03:04:05.Z\"}", NULL,
     "parsing time \"\\\"2020-01-02T03:04:05.Z\\\"\" as \"\\\"2006-01-02T15:04:05Z07:00\\\"\": "
     "cannot parse \".Z\\\"\" as \"Z07:00\""},
    {"{\"Version\":\"v1\",\"Time\":\"2020-01-02 03:04:05Z\"}", NULL,
     "parsing time \"\\\"2020-01-02 03:04:05Z\\\"\" as \"\\\"2006-01-02T15:04:05Z07:00\\\"\": "
     "cannot parse \" 03:04:05Z\\\"\" as \"T\""},
    {"{\"Version\":\"v1\",\"Time\":\"\\u0032020-01-02T03:04:05Z\"}", NULL,
     "parsing time \"\\\"\\\\u0032020-01-02T03:04:05Z\\\"\" as "
     "\"\\\"2006-01-02T15:04:05Z07:00\\\"\": cannot parse \"\\\\u0032020-01-02T03:04:05Z\\\"\" as "
     "\"2006\""},
    {"{\"Version\":\"v1\",\"Time\":\"2020-01-02T03:04:05Z\\u00e9\"}", NULL,
     "parsing time \"\\\"2020-01-02T03:04:05Z\\\\u00e9\\\"\" as "
     "\"\\\"2006-01-02T15:04:05Z07:00\\\"\": cannot parse \"\\\\u00e9\\\"\" as \"\\\"\""},
    {"{\"Version\":\"v1\",\"Time\":\"0000-01-01T00:00:00+01:00\"}", "v1",
     "{\"Version\":\"v1\",\"Time\":\"0000-01-01T00:00:00+01:00\"}"},
    {"{\"Version\":\"v1\",\"Time\":\"9999-12-31T23:59:59.5-01:00\"}", "v1",
     "{\"Version\":\"v1\",\"Time\":\"9999-12-31T23:59:59.5-01:00\"}"},
    {"{\"Origin\":\"x\"}", NULL,
     "json: cannot unmarshal string into Go struct field RevInfo.Origin of type codehost.Origin"},
    {"{\"Origin\":[1],\"Version\":1}", NULL,
     "json: cannot unmarshal array into Go struct field RevInfo.Origin of type codehost.Origin"},
    {"{\"Origin\":{\"VCS\":1}}", NULL,
     "json: cannot unmarshal number into Go struct field Origin.Origin.VCS of type string"},
    {"{\"Origin\":{\"URL\":{},\"Hash\":[]}}", NULL,
     "json: cannot unmarshal object into Go struct field Origin.Origin.URL of type string"},
    {"{\"Version\":\"v1\",\"Origin\":{\"VCS\":1},\"Time\":\"x\"}", NULL,
     "parsing time \"\\\"x\\\"\" as \"\\\"2006-01-02T15:04:05Z07:00\\\"\": cannot parse \"x\\\"\" "
     "as \"2006\""},
    {"{\"Version\":\"v1\",\"Time\":\"x\",\"Origin\":{\"VCS\":1}}", NULL,
     "parsing time \"\\\"x\\\"\" as \"\\\"2006-01-02T15:04:05Z07:00\\\"\": cannot parse \"x\\\"\" "
     "as \"2006\""},
    {"\357\273\277{}", NULL, "invalid character '\303\257' looking for beginning of value"},
    {"{\"Version\":\"v1\",\"Time\":\"2020-01-02T03:04:05Z\"}\n", "v1",
     "{\"Version\":\"v1\",\"Time\":\"2020-01-02T03:04:05Z\"}"},
    {"1.", NULL, "invalid character ' ' after decimal point in numeric literal"},
    {"-", NULL, "invalid character ' ' in numeric literal"},
    {"1e", NULL, "invalid character ' ' in exponent of numeric literal"},
    {"tru", NULL, "invalid character ' ' in literal true (expecting 'e')"},
    {"\"abc", NULL, "unexpected end of JSON input"},
    {"\"\\u12", NULL, "invalid character ' ' in \\u hexadecimal character escape"},
    {"[", NULL, "unexpected end of JSON input"},
    {"{\"a\"", NULL, "unexpected end of JSON input"},
    {"{\"a\":", NULL, "unexpected end of JSON input"},
    {"{\"Version\":\"v1\",\"Time\":\"2020-01-02T03:04:.5Z\"}", "v1",
     "{\"Version\":\"v1\",\"Time\":\"2020-01-02T03:04:00.5Z\"}"},
    {"{\"Version\":\"v1\",\"Time\":\"2020-01-02T03:04:5.5Z\"}", NULL,
     "parsing time \"\\\"2020-01-02T03:04:5.5Z\\\"\" as \"\\\"2006-01-02T15:04:05Z07:00\\\"\": "
     "cannot parse \"5.5Z\\\"\" as \"05\""},
    {"{\"Version\":\"v1\",\"Time\":\"2020-01-02T03:04:05.5+01:30\"}", "v1",
     "{\"Version\":\"v1\",\"Time\":\"2020-01-02T03:04:05.5+01:30\"}"},
    {"{\"Version\":\"v1\",\"Time\":\"2a20-01-02T03:04:05Z\"}", NULL,
     "parsing time \"\\\"2a20-01-02T03:04:05Z\\\"\" as \"\\\"2006-01-02T15:04:05Z07:00\\\"\": "
     "cannot parse \"-01-02T03:04:05Z\\\"\" as \"2006\""},
    {"{\"Version\":\"v1\",\"Time\":\"2020-01-02T03:04:05+01:3\"}", NULL,
     "parsing time \"\\\"2020-01-02T03:04:05+01:3\\\"\" as \"\\\"2006-01-02T15:04:05Z07:00\\\"\": "
     "cannot parse \"\" as \"Z07:00\""},
    {"{\"Version\":\"v1\",\"Time\":\"2020-01-02T03:04:05+01-30\"}", NULL,
     "parsing time \"\\\"2020-01-02T03:04:05+01-30\\\"\" as \"\\\"2006-01-02T15:04:05Z07:00\\\"\": "
     "cannot parse \"+01-30\\\"\" as \"Z07:00\""},
    {"{\"Version\":\"v1\",\"Time\":\"2020-01-02T1:04:05Z\"}", "v1",
     "{\"Version\":\"v1\",\"Time\":\"2020-01-02T01:04:05Z\"}"},
    {"{\"Version\":\"v1\",\"Time\":\"2020-01-02Tx:04:05Z\"}", NULL,
     "parsing time \"\\\"2020-01-02Tx:04:05Z\\\"\" as \"\\\"2006-01-02T15:04:05Z07:00\\\"\": "
     "cannot parse \"x:04:05Z\\\"\" as \"15\""},
    {"{\"Version\":\"v1\",\"Time\":\"2020-01-02T03:4:05Z\"}", NULL,
     "parsing time \"\\\"2020-01-02T03:4:05Z\\\"\" as \"\\\"2006-01-02T15:04:05Z07:00\\\"\": "
     "cannot parse \"4:05Z\\\"\" as \"04\""},
    {"{\"Version\":\"v1\",\"Time\":\"2020-01-2T03:04:05Z\"}", NULL,
     "parsing time \"\\\"2020-01-2T03:04:05Z\\\"\" as \"\\\"2006-01-02T15:04:05Z07:00\\\"\": "
     "cannot parse \"2T03:04:05Z\\\"\" as \"02\""},
    {"{\"Version\":\"v1\",\"Time\":\"1900-02-29T03:04:05Z\"}", NULL,
     "parsing time \"\\\"1900-02-29T03:04:05Z\\\"\": day out of range"},
    {"{\"Version\":\"v1\",\"Time\":\"2000-02-29T03:04:05Z\"}", "v1",
     "{\"Version\":\"v1\",\"Time\":\"2000-02-29T03:04:05Z\"}"},
    {"{\"Version\":\"v1\",\"Time\":\"2020-04-31T03:04:05Z\"}", NULL,
     "parsing time \"\\\"2020-04-31T03:04:05Z\\\"\": day out of range"},
    {"{\"Version\":\"v1\",\"Time\":\"2020-01-02T03:04:05.000000001-23:59\"}", "v1",
     "{\"Version\":\"v1\",\"Time\":\"2020-01-02T03:04:05.000000001-23:59\"}"},
    {"{\"Version\":\"v1\",\"Time\":\"2020-01-02T03:04:05\\u00e9Z\"}", NULL,
     "parsing time \"\\\"2020-01-02T03:04:05\\\\u00e9Z\\\"\" as "
     "\"\\\"2006-01-02T15:04:05Z07:00\\\"\": cannot parse \"\\\\u00e9Z\\\"\" as \"Z07:00\""},
    {"{\"Version\":\"v1\",\"Time\":\"2020-01-02T03:04:05Z\",\"TIME\":\"x\"}", NULL,
     "parsing time \"\\\"x\\\"\" as \"\\\"2006-01-02T15:04:05Z07:00\\\"\": cannot parse \"x\\\"\" "
     "as \"2006\""},
    {"{\"Version\":\"v0.0.0-20200102030405-abcdefabcdef\",\"Origin\":{\"Ref\":\"r\",\"TagPrefix\":"
     "\"p\"}}",
     "v0.0.0-20200102030405-abcdefabcdef",
     "{\"Version\":\"v0.0.0-20200102030405-abcdefabcdef\",\"Time\":\"0001-01-01T00:00:00Z\","
     "\"Origin\":{}}"},
    {"{\"Version\":\"v1.2.3-0.20200102030405-abcdefabcdef\",\"Origin\":{\"Ref\":\"r\"}}",
     "v1.2.3-0.20200102030405-abcdefabcdef",
     "{\"Version\":\"v1.2.3-0.20200102030405-abcdefabcdef\",\"Time\":\"0001-01-01T00:00:00Z\","
     "\"Origin\":{}}"},
    {"{\"Version\":\"v1.2.3\",\"Origin\":{\"Ref\":\"r\"}}", "v1.2.3",
     "{\"Version\":\"v1.2.3\",\"Time\":\"0001-01-01T00:00:00Z\",\"Origin\":{\"Ref\":\"r\"}}"},
    {"{\"origin\":{\"vc\305\277\":\"git\",\"\305\277ubdir\":\"x\",\"Tag\305\277um\":\"t\"},"
     "\"VERSION\":\"v1\"}",
     "v1",
     "{\"Version\":\"v1\",\"Time\":\"0001-01-01T00:00:00Z\",\"Origin\":{\"VCS\":\"git\",\"Subdir\":"
     "\"x\"}}"},
    {"{\"a\":[{\"b\":[1,2,{\"c\":\"\\\"}]\"}]},\"x\"],\"Version\":\"v1\"}", "v1",
     "{\"Version\":\"v1\",\"Time\":\"0001-01-01T00:00:00Z\"}"},
    {"{\"Version\":\"\\u0041\\u00e9\\ud834\\udd1e<>&\"}", "A\303\251\360\235\204\236<>&",
     "{\"Version\":\"A\303\251\360\235\204\236\\u003c\\u003e\\u0026\",\"Time\":\"0001-01-01T00:00:"
     "00Z\"}"},
    {"{\"Version\":\"v1\",\"Origin\":{\"VCS\":\"g\\u0000it\"}}", "v1",
     "{\"Version\":\"v1\",\"Time\":\"0001-01-01T00:00:00Z\",\"Origin\":{\"VCS\":\"g\\u0000it\"}}"},
    {"\357\273\277", NULL, "invalid character '\303\257' looking for beginning of value"},
    {"\001", NULL, "invalid character '\\x01' looking for beginning of value"},
    {"\302\240", NULL, "invalid character '\303\202' looking for beginning of value"},
    {"{\"Version\":\"a\177b\342\200\250\"}", "a\177b\342\200\250",
     "{\"Version\":\"a\177b\\u2028\",\"Time\":\"0001-01-01T00:00:00Z\"}"},
    {"{\"V\303\251rsion\":\"x\"}", "", "{\"Version\":\"\",\"Time\":\"0001-01-01T00:00:00Z\"}"},
    {"\205", NULL, "invalid character '\\u0085' looking for beginning of value"},
    {"\240", NULL, "invalid character '\\u00a0' looking for beginning of value"},
    {"\255", NULL, "invalid character '\\u00ad' looking for beginning of value"},
    {"\377", NULL, "invalid character '\303\277' looking for beginning of value"},
    {"\\", NULL, "invalid character '\\\\' looking for beginning of value"},
    {"'", NULL, "invalid character '\\'' looking for beginning of value"},
    {"\177", NULL, "invalid character '\\x7f' looking for beginning of value"},
    {"\t", NULL, "unexpected end of JSON input"},
    {"[\"\t\"]", NULL, "invalid character '\\t' in string literal"},
};

/* One loop rather than a ParameterizedTest: criterion re-executes the test binary for each
 * parameter, so parameters holding pointers to string literals would dangle. */
Test(json, info_reencode)
{
    for (size_t i = 0; i < sizeof(info_vecs) / sizeof(info_vecs[0]); i++) {
        const struct info_vec *v = &info_vecs[i];
        struct gmf_buf out;
        struct gmf_diag diag;
        char *version = NULL;
        enum gmf_err r;

        gmf_buf_init(&out, GMF_BUF_UNLIMITED);
        gmf_diag_init(&diag);
        r = gmf_json_info_reencode(v->in, strlen(v->in), &version, &out, &diag);
        if (v->version) {
            cr_expect_eq(r, GMF_OK, "input %s: unexpected error %s", v->in, diag.msg);
            cr_expect_str_eq(version ? version : "(null)", v->version, "input %s", v->in);
            cr_expect_eq(out.len, strlen(v->out), "input %s: length", v->in);
            cr_expect_str_eq(out.data ? out.data : "", v->out, "input %s", v->in);
        } else {
            cr_expect_eq(r, GMF_EPARSE, "input %s: expected error %s", v->in, v->out);
            cr_expect_str_eq(diag.msg, v->out, "input %s", v->in);
            cr_expect_null(version, "input %s", v->in);
            cr_expect_eq(out.len, 0, "input %s: output written on error", v->in);
        }
        free(version);
        gmf_buf_release(&out);
    }
}

/* Nesting: go accepts 10000 levels and rejects the 10001st (vectors from go 1.19). */
static char *nested(size_t depth)
{
    char *s = malloc(2 * depth + 1);

    memset(s, '[', depth);
    memset(s + depth, ']', depth);
    s[2 * depth] = '\0';
    return s;
}

Test(json, nesting_limit)
{
    struct gmf_buf out;
    struct gmf_diag diag;
    char *version = NULL;
    char *ok = nested(10000), *deep = nested(10001);

    gmf_buf_init(&out, GMF_BUF_UNLIMITED);
    gmf_diag_init(&diag);
    cr_assert_eq(gmf_json_info_reencode(ok, strlen(ok), &version, &out, &diag), GMF_EPARSE);
    cr_assert_str_eq(diag.msg,
                     "json: cannot unmarshal array into Go value of type modfetch.RevInfo");
    cr_assert_eq(gmf_json_info_reencode(deep, strlen(deep), &version, &out, &diag), GMF_EPARSE);
    cr_assert_str_eq(diag.msg, "invalid character '[' exceeded max depth");
    cr_assert_null(version);
    free(ok);
    free(deep);
    gmf_buf_release(&out);
}

/* The brief's example, written out: go 1.19 caches this Time as ".12+01:00". */
Test(json, time_trailing_zeros)
{
    static const char in[] =
        "{\"Version\":\"v1.0.0\",\"Time\":\"2020-01-02T03:04:05.120000000+01:00\"}";
    struct gmf_buf out;
    char *version = NULL;

    gmf_buf_init(&out, GMF_BUF_UNLIMITED);
    cr_assert_eq(gmf_json_info_reencode(in, strlen(in), &version, &out, NULL), GMF_OK);
    cr_assert_str_eq(out.data,
                     "{\"Version\":\"v1.0.0\",\"Time\":\"2020-01-02T03:04:05.12+01:00\"}");
    free(version);
    gmf_buf_release(&out);
}

/* json.Unmarshal keeps "\u0000"; such a Version can never be the one requested, so go
 * fails with "proxy returned info for version v1\x00x instead of requested version" (its
 * message holds the raw NUL; the diag shows it as \x00). */
Test(json, version_with_nul)
{
    static const char in[] = "{\"Version\":\"v1\\u0000x\"}";
    struct gmf_buf out;
    struct gmf_diag diag;
    char *version = NULL;

    gmf_buf_init(&out, GMF_BUF_UNLIMITED);
    gmf_diag_init(&diag);
    cr_assert_eq(gmf_json_info_reencode(in, strlen(in), &version, &out, &diag), GMF_EPARSE);
    cr_assert_str_eq(diag.msg,
                     "proxy returned info for version v1\\x00x instead of requested version");
    cr_assert_null(version);
    cr_assert_eq(out.len, 0);
    gmf_buf_release(&out);
}

/* Input is taken by length, not up to a NUL: a NUL byte is a syntax error in go. */
Test(json, nul_byte_in_input)
{
    static const char in[] = "{\"Version\":\"v1\"}\0";
    struct gmf_diag diag;
    struct gmf_buf out;
    char *version = NULL;

    gmf_buf_init(&out, GMF_BUF_UNLIMITED);
    gmf_diag_init(&diag);
    cr_assert_eq(gmf_json_info_reencode(in, sizeof(in) - 1, &version, &out, &diag), GMF_EPARSE);
    cr_assert_str_eq(diag.msg, "invalid character '\\x00' after top-level value");
    gmf_buf_release(&out);
}

Test(json, output_cap)
{
    static const char in[] = "{\"Version\":\"v1.0.0\",\"Time\":\"2020-01-02T03:04:05Z\"}";
    struct gmf_buf out;
    struct gmf_diag diag;
    char *version = NULL;

    gmf_buf_init(&out, 10);
    gmf_diag_init(&diag);
    cr_assert_eq(gmf_json_info_reencode(in, strlen(in), &version, &out, &diag), GMF_ETOOBIG);
    cr_assert_null(version);
    cr_assert_eq(out.len, 0);
    gmf_buf_release(&out);
}

struct str_vec {
    const char *in, *out;
};

static const struct str_vec str_vecs[] = {
    {"a", "\"a\""},
    {"<tag> & \"q\" \\ /", "\"\\u003ctag\\u003e \\u0026 \\\"q\\\" \\\\ /\""},
    {"tab\tnl\ncr", "\"tab\\tnl\\ncr\""},
    {"ctl \001\010\014\037\177", "\"ctl \\u0001\\u0008\\u000c\\u001f\177\""},
    {"line\342\200\250sep\342\200\251end", "\"line\\u2028sep\\u2029end\""},
    {"bad\377\376utf8 \303\251 \357\277\275 \355\240\200 \360\237\230\200 \342\202",
     "\"bad\\ufffd\\ufffdutf8 \303\251 \357\277\275 \\ufffd\\ufffd\\ufffd \360\237\230\200 "
     "\\ufffd\\ufffd\""},
    {"", "\"\""},
    {"tab\tnl\ncr\015end", "\"tab\\tnl\\ncr\\rend\""},
    {"plain ascii ~!@#$%^*()_+{}|:\077`-=[];,./", "\"plain ascii ~!@#$%^*()_+{}|:\077`-=[];,./\""},
    {"\302\200\302\205 \342\200\247\342\200\252", "\"\302\200\302\205 \342\200\247\342\200\252\""},
};

Test(json, put_string)
{
    for (size_t i = 0; i < sizeof(str_vecs) / sizeof(str_vecs[0]); i++) {
        struct gmf_buf out;

        gmf_buf_init(&out, GMF_BUF_UNLIMITED);
        gmf_json_put_string(&out, str_vecs[i].in);
        cr_expect_str_eq(out.data, str_vecs[i].out, "input %s", str_vecs[i].in);
        gmf_buf_release(&out);
    }
}

/* json.MarshalIndent(moduleJSON, "", "\t") + "\n" from go 1.19 (moduleJSON as in
 * cmd/go/internal/modcmd/download.go). */
Test(json, module_empty)
{
    struct gmf_json_module m = {0};
    struct gmf_buf out;

    gmf_buf_init(&out, GMF_BUF_UNLIMITED);
    gmf_json_module(&out, &m);
    cr_assert_str_eq(out.data, "{}\n");
    gmf_buf_release(&out);
}

Test(json, module_full)
{
    struct gmf_json_module m = {
        .path = "example.com/hello",
        .version = "v1.0.0",
        .query = "",
        .info = "/mc/cache/download/example.com/hello/@v/v1.0.0.info",
        .gomod = "/mc/cache/download/example.com/hello/@v/v1.0.0.mod",
        .zip = "/mc/cache/download/example.com/hello/@v/v1.0.0.zip",
        .dir = "/mc/example.com/hello@v1.0.0",
        .sum = "h1:WG2WLx/Ax0cT5RCP1oGOJeKvU0hluam9YQDXL70alWU=",
        .gomodsum = "h1:iaBWq6hdBZJwBANPgijMSU9n4SwWzD0bZqSbgNXAPyo=",
    };
    struct gmf_buf out;

    gmf_buf_init(&out, GMF_BUF_UNLIMITED);
    gmf_json_module(&out, &m);
    cr_assert_str_eq(
        out.data, "{\n\t\"Path\": \"example.com/hello\",\n\t\"Version\": \"v1.0.0\",\n\t\"Info\": "
                  "\"/mc/cache/download/example.com/hello/@v/v1.0.0.info\",\n\t\"GoMod\": "
                  "\"/mc/cache/download/example.com/hello/@v/v1.0.0.mod\",\n\t\"Zip\": "
                  "\"/mc/cache/download/example.com/hello/@v/v1.0.0.zip\",\n\t\"Dir\": "
                  "\"/mc/example.com/hello@v1.0.0\",\n\t\"Sum\": "
                  "\"h1:WG2WLx/Ax0cT5RCP1oGOJeKvU0hluam9YQDXL70alWU=\",\n\t\"GoModSum\": "
                  "\"h1:iaBWq6hdBZJwBANPgijMSU9n4SwWzD0bZqSbgNXAPyo=\"\n}\n");
    gmf_buf_release(&out);
}

Test(json, module_error)
{
    struct gmf_json_module m = {
        .path = "example.com/bad",
        .version = "v1.0.0",
        .query = "<v1.1.0",
        .error = "reading https://p/x: 404 Not Found\n\tserver response: not found",
    };
    struct gmf_buf out;

    gmf_buf_init(&out, GMF_BUF_UNLIMITED);
    gmf_json_module(&out, &m);
    cr_assert_str_eq(out.data,
                     "{\n\t\"Path\": \"example.com/bad\",\n\t\"Version\": "
                     "\"v1.0.0\",\n\t\"Query\": \"\\u003cv1.1.0\",\n\t\"Error\": \"reading "
                     "https://p/x: 404 Not Found\\n\\tserver response: not found\"\n}\n");
    gmf_buf_release(&out);
}

/* Origin is printed in full, TagPrefix and TagSum included; unknown fields are not. */
Test(json, module_origin)
{
    static const char info[] =
        "{\"Version\":\"v1.0.0\",\"Origin\":{\"VCS\":\"git\",\"URL\":\"https://x/<y>&\","
        "\"TagPrefix\":\"p/\",\"TagSum\":\"t1:x\",\"Ref\":\"refs/tags/v1.0.0\",\"Hash\":\"abc\","
        "\"Junk\":[1]}}";
    struct gmf_json_module m = {
        .path = "example.com/o",
        .version = "v1.0.0",
        .origin_info = info,
        .origin_info_len = sizeof(info) - 1,
    };
    struct gmf_buf out;

    gmf_buf_init(&out, GMF_BUF_UNLIMITED);
    gmf_json_module(&out, &m);
    cr_assert_str_eq(
        out.data,
        "{\n\t\"Path\": \"example.com/o\",\n\t\"Version\": \"v1.0.0\",\n\t\"Origin\": "
        "{\n\t\t\"VCS\": \"git\",\n\t\t\"URL\": "
        "\"https://x/\\u003cy\\u003e\\u0026\",\n\t\t\"TagPrefix\": \"p/\",\n\t\t\"TagSum\": "
        "\"t1:x\",\n\t\t\"Ref\": \"refs/tags/v1.0.0\",\n\t\t\"Hash\": \"abc\"\n\t}\n}\n");
    gmf_buf_release(&out);
}

Test(json, module_empty_origin)
{
    static const char info[] = "{\"Version\":\"v1\",\"Origin\":{}}";
    struct gmf_json_module m = {
        .path = "example.com/e",
        .origin_info = info,
        .origin_info_len = sizeof(info) - 1,
    };
    struct gmf_buf out;

    gmf_buf_init(&out, GMF_BUF_UNLIMITED);
    gmf_json_module(&out, &m);
    cr_assert_str_eq(out.data, "{\n\t\"Path\": \"example.com/e\",\n\t\"Origin\": {}\n}\n");
    gmf_buf_release(&out);
}

/* No Origin in the .info, or .info that does not parse: no "Origin" key. */
Test(json, module_without_origin)
{
    static const char plain[] = "{\"Version\":\"v1\",\"Time\":\"2020-01-02T03:04:05Z\"}";
    static const char bad[] = "{\"Origin\":{\"VCS\":1}}";
    struct gmf_json_module m = {.path = "example.com/e"};
    struct gmf_buf out;

    gmf_buf_init(&out, GMF_BUF_UNLIMITED);
    m.origin_info = plain;
    m.origin_info_len = sizeof(plain) - 1;
    gmf_json_module(&out, &m);
    m.origin_info = bad;
    m.origin_info_len = sizeof(bad) - 1;
    gmf_json_module(&out, &m);
    cr_assert_str_eq(out.data,
                     "{\n\t\"Path\": \"example.com/e\"\n}\n{\n\t\"Path\": \"example.com/e\"\n}\n");
    gmf_buf_release(&out);
}
