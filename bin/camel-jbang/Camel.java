import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.apache.camel.dsl.jbang.core.commands.CamelJBangMain;

/**
 * The {@code camel} command of Camel JBang, as {@code jbang camel@apache/camel} would start it. Run without a
 * {@code --kamelets-version}, the 4.17 command line would look for the 4.17 kamelet catalog, which is not served
 * here; it gets the one matching the runtime instead.
 */
public final class Camel {

    public static void main(String[] args) {
        List<String> command = new ArrayList<>(Arrays.asList(args));
        if (!command.isEmpty() && command.get(0).equals("run")
            && command.stream().noneMatch(a -> a.startsWith("--kamelets-version"))) {
            command.add(1, "--kamelets-version=" + System.getProperty("camel.kamelets.version", "4.18.0"));
        }
        CamelJBangMain.run(command.toArray(String[]::new));
    }
}
