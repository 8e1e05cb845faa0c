package io.analyticsplatform.kafkabroker;

import java.io.IOException;

/**
 * Runs Kafka's own `kafka.Kafka` main for one verify node, and ends the node (through Kafka's shutdown hook)
 * when its standard input closes: a node never outlives the harness that started it, however that ended.
 */
public final class BrokerMain {
  private BrokerMain() {}

  public static void main(String[] args) throws Exception {
    Thread watchdog = new Thread(() -> {
      try {
        while (System.in.read() >= 0) {
          // Nothing is sent; end of input is the signal.
        }
      } catch (IOException closed) {
        // Same as end of input.
      }
      System.exit(0);
    }, "stdin-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    kafka.Kafka.main(args);
  }
}
