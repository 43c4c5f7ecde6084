package dev.tiergate.launcher.faults;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Keeps every log line of this JVM (message, arguments rendered, stack traces) from attach to
 * detach, with Tiergate's own loggers at DEBUG and everything else at INFO, so a test can search
 * what the services would have written for something that must never be there.
 */
final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {

  private final List<String> lines = new ArrayList<>();
  private final Logger root;
  private final Logger tiergate;
  private final Level rootLevel;
  private final Level tiergateLevel;

  private LogCapture() {
    final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    setContext(context);
    setName("fault-suite-capture");
    root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    tiergate = context.getLogger("dev.tiergate");
    rootLevel = root.getLevel();
    tiergateLevel = tiergate.getLevel();
  }

  static LogCapture attach() {
    final LogCapture capture = new LogCapture();
    capture.start();
    capture.root.addAppender(capture);
    capture.root.setLevel(Level.INFO);
    capture.tiergate.setLevel(Level.DEBUG);
    return capture;
  }

  @Override
  protected void append(final ILoggingEvent event) {
    final StringBuilder line = new StringBuilder()
        .append(event.getLevel()).append(' ')
        .append(event.getLoggerName()).append(" - ")
        .append(event.getFormattedMessage());
    if (event.getThrowableProxy() != null) {
      line.append('\n').append(ThrowableProxyUtil.asString(event.getThrowableProxy()));
    }
    synchronized (lines) {
      lines.add(line.toString());
    }
  }

  List<String> lines() {
    synchronized (lines) {
      return List.copyOf(lines);
    }
  }

  @Override
  public void close() {
    root.detachAppender(this);
    root.setLevel(rootLevel);
    tiergate.setLevel(tiergateLevel);
    stop();
  }
}
