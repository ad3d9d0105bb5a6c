import os

import requests
from flask import Flask, jsonify

app = Flask(__name__)


@app.route("/weather/<city>")
def weather(city):
    response = requests.get(f"https://api.weather.example.com/v1/{city}", timeout=5)
    return jsonify(response.json())
