package dev.switchboard.soap;

import jakarta.xml.soap.SOAPElement;
import jakarta.xml.soap.SOAPEnvelope;
import jakarta.xml.soap.SOAPException;
import jakarta.xml.soap.SOAPHeader;
import jakarta.xml.ws.BindingProvider;
import jakarta.xml.ws.handler.Handler;
import jakarta.xml.ws.handler.MessageContext;
import jakarta.xml.ws.handler.soap.SOAPHandler;
import jakarta.xml.ws.handler.soap.SOAPMessageContext;
import java.util.List;
import java.util.Set;
import javax.xml.namespace.QName;

/**
 * A JAX-WS SOAPHandler adding an OASIS WS-Security header to every outgoing request: either a
 * BinarySecurityToken carrying the JWT from AuthService Login (ValueType
 * urn:ietf:params:oauth:token-type:jwt), or a UsernameToken with a PasswordText (the gateway
 * accepts that one over HTTPS only). Plain JAX-WS RI has no WS-Security of its own; this is the
 * standard hook for it.
 */
final class WsSecurityHeader implements SOAPHandler<SOAPMessageContext> {
  static final String WSSE =
      "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
  static final String JWT_VALUE_TYPE = "urn:ietf:params:oauth:token-type:jwt";
  static final String PASSWORD_TEXT =
      "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText";

  private interface Token {
    void addTo(SOAPElement security) throws SOAPException;
  }

  private final Token token;

  private WsSecurityHeader(Token token) {
    this.token = token;
  }

  static WsSecurityHeader jwt(String jwt) {
    return new WsSecurityHeader(
        security -> {
          SOAPElement bst = security.addChildElement("BinarySecurityToken", "wsse");
          bst.setAttribute("ValueType", JWT_VALUE_TYPE);
          bst.addTextNode(jwt);
        });
  }

  static WsSecurityHeader passwordText(String username, String password) {
    return new WsSecurityHeader(
        security -> {
          SOAPElement usernameToken = security.addChildElement("UsernameToken", "wsse");
          usernameToken.addChildElement("Username", "wsse").addTextNode(username);
          SOAPElement pass = usernameToken.addChildElement("Password", "wsse");
          pass.setAttribute("Type", PASSWORD_TEXT);
          pass.addTextNode(password);
        });
  }

  /** Adds this header to every call of the port (a port proxy from a generated service class). */
  <T> T on(T port) {
    BindingProvider provider = (BindingProvider) port;
    @SuppressWarnings("rawtypes")
    List<Handler> chain = provider.getBinding().getHandlerChain();
    chain.add(this);
    provider.getBinding().setHandlerChain(chain);
    return port;
  }

  @Override
  public boolean handleMessage(SOAPMessageContext context) {
    if (!Boolean.TRUE.equals(context.get(MessageContext.MESSAGE_OUTBOUND_PROPERTY))) return true;
    try {
      SOAPEnvelope envelope = context.getMessage().getSOAPPart().getEnvelope();
      SOAPHeader header = envelope.getHeader() != null ? envelope.getHeader() : envelope.addHeader();
      token.addTo(header.addChildElement("Security", "wsse", WSSE));
      context.getMessage().saveChanges();
      return true;
    } catch (SOAPException e) {
      throw new IllegalStateException("could not add the wsse:Security header", e);
    }
  }

  @Override
  public boolean handleFault(SOAPMessageContext context) {
    return true;
  }

  @Override
  public void close(MessageContext context) {}

  @Override
  public Set<QName> getHeaders() {
    return Set.of();
  }
}
