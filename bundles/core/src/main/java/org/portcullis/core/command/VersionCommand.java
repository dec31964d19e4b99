package org.portcullis.core.command;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.portcullis.core.ProductInfo;

/** {@code portcullis:version} prints the product version. */
@Command(scope = "portcullis", name = "version", description = "Shows the Portcullis product version")
@Service
public class VersionCommand implements Action {

    @Reference
    ProductInfo product;

    @Override
    public Object execute() {
        System.out.println("Portcullis " + product.version());
        return null;
    }
}
