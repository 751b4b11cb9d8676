"""The SOAP gateway through zeep, a client built from nothing but the live WSDL, logged in the way a
SOAP-only client would: AuthService Login over SOAP, then the JWT in a WS-Security
BinarySecurityToken (or, over HTTPS only, a UsernameToken with PasswordText). The CRUD flow and its
NOT_FOUND Fault with the typed GrpcStatus detail, a ListUsers page (admin), UploadImage + GetImage,
and the WS-Security refusals — over the SOAP 1.1 and the SOAP 1.2 binding alike. An https://
SWITCHBOARD_SOAP_URL (the system tests' TLS phase) is reached over mutual TLS with
SWITCHBOARD_CA_FILE, _CERT_FILE and _KEY_FILE. The dev admin: SWITCHBOARD_ADMIN_EMAIL/_PASSWORD."""

import base64
import datetime
import hashlib
import os
import struct
import uuid
import zlib

import pytest
import requests
from lxml import etree
from zeep import Client
from zeep.exceptions import Fault
from zeep.transports import Transport
from zeep.wsse import utils as wsse_utils
from zeep.wsse.username import UsernameToken

SOAP_URL = os.environ.get("SWITCHBOARD_SOAP_URL", "http://localhost:8081").rstrip("/")
OVER_TLS = SOAP_URL.startswith("https://")
ADMIN_EMAIL = os.environ.get("SWITCHBOARD_ADMIN_EMAIL", "admin@example.com")
ADMIN_PASSWORD = os.environ.get("SWITCHBOARD_ADMIN_PASSWORD", "switchboard-admin")
BINDINGS = ["Soap11", "Soap12"]
JWT_VALUE_TYPE = "urn:ietf:params:oauth:token-type:jwt"


class JwtToken:
    """A zeep WS-Security plugin: wsse:Security holding a BinarySecurityToken that carries a JWT
    (ValueType urn:ietf:params:oauth:token-type:jwt, the token as text) — what the gateway passes on
    as `authorization: Bearer`."""

    def __init__(self, jwt: str):
        self.jwt = jwt

    def apply(self, envelope, headers):
        security = wsse_utils.get_security_header(envelope)
        token = etree.SubElement(security, etree.QName(wsse_utils.NSMAP["wsse"], "BinarySecurityToken"))
        token.set("ValueType", JWT_VALUE_TYPE)
        token.text = self.jwt
        return envelope, headers

    def verify(self, envelope):
        return envelope


def http_session() -> requests.Session:
    """Plain HTTP, or over https:// the dev CA to trust and our client certificate (mutual TLS)."""
    session = requests.Session()
    if OVER_TLS:
        # Else a REQUESTS_CA_BUNDLE in the environment replaces the CA set here (psf/requests#3829).
        session.trust_env = False
        session.verify = os.environ["SWITCHBOARD_CA_FILE"]
        if os.environ.get("SWITCHBOARD_CERT_FILE"):
            session.cert = (os.environ["SWITCHBOARD_CERT_FILE"], os.environ["SWITCHBOARD_KEY_FILE"])
    return session


SESSION = http_session()


@pytest.fixture(scope="module")
def soap_up() -> None:
    try:
        response = SESSION.get(f"{SOAP_URL}/healthz", timeout=3)
        assert response.status_code == 200
    except requests.RequestException as error:
        if os.environ.get("SWITCHBOARD_SYSTEM_UP"):
            pytest.fail(f"soap-gateway is not reachable at {SOAP_URL} ({error}), though the system is up")
        pytest.skip(f"soap-gateway is not reachable at {SOAP_URL}; start it with `pnpm start`")


def service(name: str, binding: str, wsse=None):
    """The operations of one binding (port) of a service, from its live WSDL, sending `wsse`."""
    client = Client(f"{SOAP_URL}/ws/{name}?wsdl", transport=Transport(session=SESSION), wsse=wsse)
    return client, client.bind(name, f"{name}{binding}")


def login(email: str, password: str, binding: str = "Soap11") -> str:
    """AuthService Login over SOAP (anonymous, like sign-up): the access token."""
    _, auth = service("AuthService", binding)
    tokens = auth.Login(email=email, password=password)  # zeep unwraps LoginResponse: the Tokens
    assert tokens.tokenType == "Bearer" and tokens.expiresIn > 0
    return tokens.accessToken


def sign_up(binding: str = "Soap11"):
    """A new user (CreateUser needs no token) and its JWT."""
    _, users = service("UserService", binding)
    email, password = f"zeep-{uuid.uuid4().hex}@example.com", f"pw-{uuid.uuid4().hex}"
    user = users.CreateUser(requestId=str(uuid.uuid4()), name="Zoë", email=email, password=password)
    return user, email, password, login(email, password, binding)


@pytest.fixture(scope="module")
def admin_jwt(soap_up) -> str:
    return login(ADMIN_EMAIL, ADMIN_PASSWORD)


def grpc_status(client: Client, fault: Fault):
    """The Fault's detail, parsed as the WSDL's GrpcStatus type (in the service's namespace)."""
    element = next((e for e in fault.detail.iter() if etree.QName(e).localname == "GrpcStatus"), None)
    assert element is not None, f"no GrpcStatus in the Fault detail: {fault}"
    return client.get_element(etree.QName(element).text).parse(element, client.wsdl.types)


def fault_of(client: Client, call):
    with pytest.raises(Fault) as raised:
        call()
    return grpc_status(client, raised.value), raised.value


@pytest.mark.parametrize("binding", BINDINGS)
def test_sign_up_log_in_then_read_update_delete_itself_then_not_found(soap_up, admin_jwt, binding):
    user, email, _, jwt = sign_up(binding)
    assert (user.name, user.email, user.version) == ("Zoë", email, 1)
    client, users = service("UserService", binding, JwtToken(jwt))
    assert users.GetUser(id=user.id).email == email

    updated = users.UpdateUser(user={"id": user.id, "name": "Zoë B."}, updateMask="name", expectedVersion=1)
    assert (updated.name, updated.version) == ("Zoë B.", 2)
    assert updated.createTime == user.createTime and updated.updateTime >= user.updateTime

    users.DeleteUser(id=user.id, expectedVersion=2)
    admin_client, as_admin = service("UserService", binding, JwtToken(admin_jwt))
    status, fault = fault_of(admin_client, lambda: as_admin.GetUser(id=user.id))
    assert (status.code, status.codeName) == (5, "NOT_FOUND")
    assert user.id in status.message
    assert fault.code.endswith("Client" if binding == "Soap11" else "Sender")


@pytest.mark.parametrize("binding", BINDINGS)
def test_without_a_token_or_with_a_bad_one_the_fault_says_unauthenticated(soap_up, binding):
    user, _, _, jwt = sign_up(binding)
    for wsse in [None, JwtToken(jwt[:-4] + ("AAAA" if not jwt.endswith("AAAA") else "BBBB"))]:
        client, users = service("UserService", binding, wsse)
        status, _ = fault_of(client, lambda: users.GetUser(id=user.id))
        assert (status.code, status.codeName) == (16, "UNAUTHENTICATED")


def test_another_users_record_is_permission_denied(soap_up):
    alice, _, _, _ = sign_up()
    _, _, _, bob_jwt = sign_up()
    client, as_bob = service("UserService", "Soap11", JwtToken(bob_jwt))
    status, _ = fault_of(client, lambda: as_bob.GetUser(id=alice.id))
    assert status.codeName == "PERMISSION_DENIED"


@pytest.mark.parametrize("binding", BINDINGS)
def test_username_token_password_text_logs_in_over_https_only(soap_up, binding):
    user, email, password, _ = sign_up(binding)
    client, users = service("UserService", binding, UsernameToken(email, password))
    if OVER_TLS:
        assert users.GetUser(id=user.id).email == email
    else:
        status, _ = fault_of(client, lambda: users.GetUser(id=user.id))
        assert status.codeName == "UNAUTHENTICATED"
        assert "only over HTTPS" in status.message


def test_password_digest_is_refused_and_a_replayed_nonce_detected(soap_up):
    user, email, password, _ = sign_up()
    created = datetime.datetime.now(datetime.timezone.utc)
    nonce = base64.b64encode(os.urandom(12)).decode()[:16]  # zeep sends nonce.encode() base64-encoded
    digest = UsernameToken(email, password, use_digest=True, nonce=nonce, created=created, zulu_timestamp=True)
    client, users = service("UserService", "Soap11", digest)
    first, _ = fault_of(client, lambda: users.GetUser(id=user.id))
    assert first.codeName == "UNAUTHENTICATED"
    assert "PasswordDigest cannot be verified" in first.message
    again, _ = fault_of(client, lambda: users.GetUser(id=user.id))
    assert again.codeName == "UNAUTHENTICATED"
    assert "already used" in again.message


@pytest.mark.parametrize("binding", BINDINGS)
def test_invalid_argument_fault_names_each_field(soap_up, binding):
    client, users = service("UserService", binding)
    status, _ = fault_of(client, lambda: users.CreateUser(requestId="not-a-uuid", name="", email="nope"))
    assert status.codeName == "INVALID_ARGUMENT"
    assert {v.field for v in status.fieldViolations} == {"request_id", "name", "email"}


@pytest.mark.parametrize("binding", BINDINGS)
def test_list_users_pages_for_the_admin(soap_up, admin_jwt, binding):
    _, users = service("UserService", binding)
    tag = uuid.uuid4().hex[:8]
    for n in range(3):
        users.CreateUser(requestId=str(uuid.uuid4()), name=f"Page {tag} {n}", email=f"p{n}-{tag}@example.com")
    _, as_admin = service("UserService", binding, JwtToken(admin_jwt))
    first = as_admin.ListUsers(query=tag, pageSize=2)
    assert len(first.users) == 2 and first.nextPageToken
    second = as_admin.ListUsers(query=tag, pageSize=2, pageToken=first.nextPageToken)
    assert len(second.users) == 1 and not second.nextPageToken
    assert sorted(u.name for u in first.users + second.users) == [f"Page {tag} {n}" for n in range(3)]


def png(width: int, height: int) -> bytes:
    """A real PNG of random pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + os.urandom(width * 3) for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


@pytest.mark.parametrize("binding", BINDINGS)
def test_upload_image_as_its_owner_then_get_image(soap_up, binding):
    user, _, _, jwt = sign_up(binding)
    _, images = service("ImageService", binding, JwtToken(jwt))
    data = png(20, 10)
    metadata = {"filename": "zeep.png", "contentType": "image/png", "sizeBytes": len(data)}  # owner: the caller
    image = images.UploadImage(metadata=metadata, data=data)  # the Image (zeep unwraps it)
    assert (image.width, image.height, image.sizeBytes) == (20, 10, len(data))
    assert image.sha256 == hashlib.sha256(data).hexdigest()
    read = images.GetImage(imageId=image.id)
    assert (read.id, read.filename, read.ownerId) == (image.id, "zeep.png", user.id)
