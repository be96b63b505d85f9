package dev.baton.template;

/** A run parameter: required, or with a default (null when it has none). */
public record ParamSpec(String name, boolean required, String defaultValue, String description) {}
