package dev.switchboard.soap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.soap.user.GrpcStatus;
import dev.switchboard.soap.user.GrpcStatusFault;
import dev.switchboard.soap.user.User;
import dev.switchboard.soap.user.UserService;
import dev.switchboard.soap.user.UserServicePortType;
import jakarta.xml.ws.Holder;
import java.net.URI;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The JAX-WS classes wsimport generated from the live WSDL, against the running gateway: the
 * CRUD flow, the NOT_FOUND Fault as a typed GrpcStatusFault, and a ListUsers page — through the
 * SOAP 1.1 and the SOAP 1.2 port.
 */
class UserServiceSoapTest {
  private static final String SOAP_URL = System.getProperty("soap.url", "http://localhost:8081");

  private static UserServicePortType port(String binding) throws Exception {
    UserService service = new UserService(URI.create(SOAP_URL + "/ws/UserService?wsdl").toURL());
    return binding.equals("Soap11") ? service.getUserServiceSoap11() : service.getUserServiceSoap12();
  }

  @ParameterizedTest
  @ValueSource(strings = {"Soap11", "Soap12"})
  void createGetUpdateDeleteThenNotFound(String binding) throws Exception {
    UserServicePortType users = port(binding);
    String email = "java-" + UUID.randomUUID() + "@example.com";

    User created = users.createUser(UUID.randomUUID().toString(), "Duke", email);
    assertEquals("Duke", created.getName());
    assertEquals(1L, created.getVersion());

    User read = users.getUser(created.getId());
    assertEquals(email, read.getEmail());
    assertEquals(created.getCreateTime(), read.getCreateTime());

    User change = new User();
    change.setId(created.getId());
    change.setName("Duke Jr.");
    Holder<User> user = new Holder<>(change);
    users.updateUser(user, "name", 1L);
    assertEquals("Duke Jr.", user.value.getName());
    assertEquals(2L, user.value.getVersion());

    users.deleteUser(created.getId(), 2L);

    GrpcStatusFault fault = assertThrows(GrpcStatusFault.class, () -> users.getUser(created.getId()));
    GrpcStatus status = fault.getFaultInfo();
    assertEquals(5, status.getCode());
    assertEquals("NOT_FOUND", status.getCodeName());
    assertTrue(status.getMessage().contains(created.getId()), status.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"Soap11", "Soap12"})
  void invalidArgumentNamesEachField(String binding) throws Exception {
    GrpcStatusFault fault =
        assertThrows(GrpcStatusFault.class, () -> port(binding).createUser("not-a-uuid", "Duke", "nope"));
    assertEquals("INVALID_ARGUMENT", fault.getFaultInfo().getCodeName());
    List<String> fields = fault.getFaultInfo().getFieldViolations().stream().map(v -> v.getField()).sorted().toList();
    assertEquals(List.of("email", "request_id"), fields);
  }

  @ParameterizedTest
  @ValueSource(strings = {"Soap11", "Soap12"})
  void listsUsersOnePageAtATime(String binding) throws Exception {
    UserServicePortType users = port(binding);
    String tag = UUID.randomUUID().toString().substring(0, 8);
    for (int n = 0; n < 3; n++) {
      users.createUser(UUID.randomUUID().toString(), "Page " + tag + " " + n, "p" + n + "-" + tag + "@example.com");
    }
    Holder<List<User>> page = new Holder<>();
    Holder<String> next = new Holder<>();
    users.listUsers(tag, 2, "", page, next);
    assertEquals(2, page.value.size());
    assertFalse(next.value.isEmpty());
    users.listUsers(tag, 2, next.value, page, next);
    assertEquals(1, page.value.size());
    assertEquals("", next.value);
  }
}
