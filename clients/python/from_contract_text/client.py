"""A client of user.UsuarioServicio built from nothing but the contract text of issue 7: it compiles
usuario_from_issue.proto (typed from the issue) with grpcio-tools into a temporary directory, imports
the result and calls all five methods. It uses only grpcio, grpcio-tools, protobuf and the standard
library — nothing from this repository — as a team handed just the issue would.

    python from_contract_text/client.py --name "<an existing user's name>" [--address localhost:50051]
        [--ca FILE [--cert FILE --key FILE]]
"""

import argparse
import importlib
import struct
import sys
import tempfile
import zlib
from pathlib import Path

import grpc
from grpc_tools import protoc

HERE = Path(__file__).resolve().parent
PROTO = "usuario_from_issue.proto"


def compile_contract(out_dir: str):
    """protoc --python_out --grpc_python_out on the issue's contract; returns (messages, services)."""
    include = str(Path(protoc.__file__).parent / "_proto")  # google/protobuf/*.proto, shipped with grpcio-tools
    status = protoc.main(
        ["protoc", f"-I{HERE}", f"-I{include}", f"--python_out={out_dir}", f"--grpc_python_out={out_dir}", PROTO]
    )
    if status != 0:
        raise SystemExit(f"protoc failed ({status})")
    sys.path.insert(0, out_dir)
    return importlib.import_module("usuario_from_issue_pb2"), importlib.import_module("usuario_from_issue_pb2_grpc")


def tiny_png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes([x % 256 for x in range(width * 3)]) for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--address", default="localhost:50051")
    parser.add_argument("--name", required=True, help="an existing user's exact name")
    parser.add_argument("--ca", help="CA file: use TLS")
    parser.add_argument("--cert", help="client certificate file, for mutual TLS (with --key)")
    parser.add_argument("--key", help="client key file, for mutual TLS (with --cert)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="usuario-from-issue-") as out_dir:
        pb2, pb2_grpc = compile_contract(out_dir)

        def read(path: str | None) -> bytes | None:
            return Path(path).read_bytes() if path else None

        credentials = (
            grpc.ssl_channel_credentials(read(args.ca), private_key=read(args.key), certificate_chain=read(args.cert))
            if args.ca
            else None
        )
        channel = grpc.secure_channel(args.address, credentials) if credentials else grpc.insecure_channel(args.address)
        with channel:
            stub = pb2_grpc.UsuarioServicioStub(channel)
            image = tiny_png(32, 32)
            pieces = [image[i : i + 1024] for i in range(0, len(image), 1024)]

            print("GetUser:", stub.GetUser(pb2.GetUserRequest(name=args.name), timeout=10).message)
            print("ProcessImage:", stub.ProcessImage(pb2.GetUserRequest(name=args.name, image=image), timeout=10).message)
            print("GetStreamImage:", stub.GetStreamImage((pb2.GetImage(image=p) for p in pieces), timeout=10).message)
            for reply in stub.ImageStreamReply((pb2.GetImage(image=p) for p in pieces), timeout=10):
                print("ImageStreamReply:", reply.message)
            requests = (pb2.GetUserRequest(name=args.name, pow=p) for p in (0, 1, 2))
            for reply in stub.GetUserBidiStream(requests, timeout=10):
                print(f"GetUserBidiStream: name={reply.name} pow={reply.pow} image={len(reply.image)} bytes")


if __name__ == "__main__":
    main()
