package dev.upsertingest.api.config;

import dev.upsertingest.api.errors.ProblemReportValve;
import org.apache.catalina.Valve;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * What Tomcat does before Spring sees a request: its own error answers are problem details ({@link ProblemReportValve}
 * in place of the HTML error page), and an encoded {@code /} or {@code \} in a path is passed through undecoded
 * instead of refused, so that a row key holding one can be addressed in the path (Spring MVC decodes it inside its
 * segment; see the firewall in {@code SecurityConfiguration}).
 */
@Configuration(proxyBeanMethods = false)
public class HttpConfiguration {

    @Bean
    TomcatCustomizer problemTomcat() {
        return new TomcatCustomizer();
    }

    /** Ordered last: after Spring Boot's own customizer, which adds an ErrorReportValve of its own to the host. */
    static final class TomcatCustomizer implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {

        @Override
        public void customize(TomcatServletWebServerFactory factory) {
            factory.addConnectorCustomizers(connector -> {
                connector.setEncodedSolidusHandling("passthrough");
                connector.setEncodedReverseSolidusHandling("passthrough");
            });
            factory.addContextCustomizers(context -> {
                if (context.getParent() instanceof StandardHost host) {
                    for (Valve valve : host.getPipeline().getValves()) {
                        if (valve instanceof ErrorReportValve && !(valve instanceof ProblemReportValve)) {
                            host.getPipeline().removeValve(valve);
                        }
                    }
                    host.setErrorReportValveClass(ProblemReportValve.class.getName()); // the host adds one at start
                }
            });
        }

        @Override
        public int getOrder() {
            return Ordered.LOWEST_PRECEDENCE;
        }
    }
}
