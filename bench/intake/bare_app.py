"""The yardstick: a bare Flask JSON endpoint, served exactly like the real app."""
from flask import Flask, jsonify, request

app = Flask(__name__)


@app.post("/bare")
def bare():
    body = request.get_json()
    return jsonify(ok=True, size=len(body)), 201
