package dev.tiergate.runtime;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a class of a service that other modules (the launcher, the CLI) may use: the service's
 * public surface. Everything else in a service is internal; {@code LayeringTest} in the launcher
 * fails on any use of it from outside the service.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface EntryPoint {}
