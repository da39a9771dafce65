package dev.tuncrypt.routing;

/** A command the plan needs ({@code ip}, {@code nft}, {@code sysctl}) is not installed. */
public final class ToolMissingException extends RoutingException {
    private static final long serialVersionUID = 1L;
    private final String tool;

    public ToolMissingException(String tool, String debianPackage, Throwable cause) {
        super("'" + tool + "' is not installed (apt-get install " + debianPackage + ")", cause);
        this.tool = tool;
    }

    /** The missing command's name. */
    public String tool() {
        return tool;
    }
}
