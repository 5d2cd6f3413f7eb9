package dev.caravan.core;

/** A reason the gateway must not start, worded for the operator. */
public final class StartupFailure extends RuntimeException {

    public StartupFailure(String message) {
        super(message, null, false, false);
    }
}
