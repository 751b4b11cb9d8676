"""The SOAP gateway through zeep, a client built from nothing but the live WSDL: the CRUD flow and
its NOT_FOUND Fault with the typed GrpcStatus detail, a ListUsers page, UploadImage + GetImage —
over the SOAP 1.1 and the SOAP 1.2 binding alike. An https:// SWITCHBOARD_SOAP_URL (the system tests'
TLS phase) is reached over mutual TLS with SWITCHBOARD_CA_FILE, _CERT_FILE and _KEY_FILE."""

import hashlib
import os
import struct
import uuid
import zlib

import pytest
import requests
from zeep import Client
from zeep.exceptions import Fault
from zeep.transports import Transport

SOAP_URL = os.environ.get("SWITCHBOARD_SOAP_URL", "http://localhost:8081").rstrip("/")
USER_NS = "urn:switchboard.user.v1"
BINDINGS = ["Soap11", "Soap12"]


def http_session() -> requests.Session:
    """Plain HTTP, or over https:// the dev CA to trust and our client certificate (mutual TLS)."""
    session = requests.Session()
    if SOAP_URL.startswith("https://"):
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


def service(name: str, binding: str):
    """The operations of one binding (port) of a service, from its live WSDL."""
    client = Client(f"{SOAP_URL}/ws/{name}?wsdl", transport=Transport(session=SESSION))
    return client, client.bind(name, f"{name}{binding}")


def grpc_status(client: Client, fault: Fault):
    """The Fault's detail, parsed as the WSDL's GrpcStatus type."""
    element = fault.detail.find(f"{{{USER_NS}}}GrpcStatus")
    assert element is not None, f"no GrpcStatus in the Fault detail: {fault}"
    return client.get_element(f"{{{USER_NS}}}GrpcStatus").parse(element, client.wsdl.types)


@pytest.mark.parametrize("binding", BINDINGS)
def test_create_get_update_delete_then_not_found_with_typed_detail(soap_up, binding):
    client, users = service("UserService", binding)
    email = f"zeep-{uuid.uuid4().hex}@example.com"
    user = users.CreateUser(requestId=str(uuid.uuid4()), name="Zoë", email=email)  # zeep unwraps a one-field response: the User
    assert (user.name, user.email, user.version) == ("Zoë", email, 1)
    assert users.GetUser(id=user.id).email == email

    updated = users.UpdateUser(user={"id": user.id, "name": "Zoë B."}, updateMask="name", expectedVersion=1)
    assert (updated.name, updated.version) == ("Zoë B.", 2)
    assert updated.createTime == user.createTime and updated.updateTime >= user.updateTime

    users.DeleteUser(id=user.id, expectedVersion=2)
    with pytest.raises(Fault) as raised:
        users.GetUser(id=user.id)
    status = grpc_status(client, raised.value)
    assert (status.code, status.codeName) == (5, "NOT_FOUND")
    assert user.id in status.message
    assert raised.value.code.endswith("Client" if binding == "Soap11" else "Sender")


@pytest.mark.parametrize("binding", BINDINGS)
def test_invalid_argument_fault_names_each_field(soap_up, binding):
    client, users = service("UserService", binding)
    with pytest.raises(Fault) as raised:
        users.CreateUser(requestId="not-a-uuid", name="", email="nope")
    status = grpc_status(client, raised.value)
    assert status.codeName == "INVALID_ARGUMENT"
    assert {v.field for v in status.fieldViolations} == {"request_id", "name", "email"}


@pytest.mark.parametrize("binding", BINDINGS)
def test_list_users_pages(soap_up, binding):
    _, users = service("UserService", binding)
    tag = uuid.uuid4().hex[:8]
    for n in range(3):
        users.CreateUser(requestId=str(uuid.uuid4()), name=f"Page {tag} {n}", email=f"p{n}-{tag}@example.com")
    first = users.ListUsers(query=tag, pageSize=2)
    assert len(first.users) == 2 and first.nextPageToken
    second = users.ListUsers(query=tag, pageSize=2, pageToken=first.nextPageToken)
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
def test_upload_image_then_get_image(soap_up, binding):
    _, images = service("ImageService", binding)
    data = png(20, 10)
    owner = str(uuid.uuid4())
    metadata = {"filename": "zeep.png", "contentType": "image/png", "sizeBytes": len(data), "ownerId": owner}
    image = images.UploadImage(metadata=metadata, data=data)  # the Image (zeep unwraps it)
    assert (image.width, image.height, image.sizeBytes) == (20, 10, len(data))
    assert image.sha256 == hashlib.sha256(data).hexdigest()
    read = images.GetImage(imageId=image.id)
    assert (read.id, read.filename, read.ownerId) == (image.id, "zeep.png", owner)
