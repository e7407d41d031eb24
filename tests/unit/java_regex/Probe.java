// The JDK's java.util.regex on each probe, for tests/unit/test_java_regex_jdk.py.
// Input lines: HEX(pattern) TAB HEX(input) [TAB HEX(input)...], UTF-8 in hex.
// Output lines: "E<TAB>index<TAB>HEX(description)" when Pattern.compile throws, else
// "M<TAB>" followed by one 0/1 per input: Matcher.matches(), as String.matches and API
// Gateway's selection patterns evaluate.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

public class Probe {
    static String unhex(String h) {
        byte[] b = new byte[h.length() / 2];
        for (int i = 0; i < b.length; i++) b[i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
        return new String(b, StandardCharsets.UTF_8);
    }

    static String hex(String s) {
        StringBuilder out = new StringBuilder();
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) out.append(String.format("%02x", x));
        return out.toString();
    }

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        StringBuilder out = new StringBuilder();
        String line;
        while ((line = in.readLine()) != null) {
            String[] parts = line.split("\t", -1);
            Pattern p;
            try {
                p = Pattern.compile(unhex(parts[0]));
            } catch (PatternSyntaxException e) {
                out.append("E\t").append(e.getIndex()).append('\t').append(hex(e.getDescription())).append('\n');
                continue;
            }
            out.append("M\t");
            for (int i = 1; i < parts.length; i++) out.append(p.matcher(unhex(parts[i])).matches() ? '1' : '0');
            out.append('\n');
        }
        System.out.print(out);
    }
}
